# Shared by the MPI tests: mpirun that runs as root in CI, oversubscribes two cores, and never
# waits forever; a scratch folder; CSV checks.
set -u -o pipefail
stochos=$(realpath "$1")
repo=$(realpath "$2")
mpirun_bin=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export STOCHOS_HOME
STOCHOS_HOME=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$work" "$STOCHOS_HOME"' EXIT
cd "$repo" || exit 2

run_mpi() {  # run_mpi NP ARGS...: stochos under mpirun, at most 120 s
  local np=$1
  shift
  timeout 120 "$mpirun_bin" --oversubscribe -np "$np" "$stochos" "$@"
}

fail() {
  echo "FAIL: $*"
  exit 1
}

# The draw rows of a CmdStan CSV (comments left out).
rows() { grep -v '^#' "$1"; }

# Every row of the CSV has the header's number of fields.
csv_whole() {
  awk -F, '!/^#/ { if (n == 0) n = NF; else if (NF != n) bad = 1 } END { exit bad || n == 0 }' "$1"
}
