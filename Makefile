# The front door. Every target runs unattended (no stdin) on a fresh Debian machine; `make test`
# is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

BUILD_DIR ?= build/release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
STOCHOS := $(BUILD_DIR)/stochos
# Our source folders (those that exist yet), for `make format`.
SOURCE_DIRS := $(wildcard graph autodiff rewrite backends distributions transforms model infer diagnostics \
                 io lang mpi cli include tests bench python/src)

.PHONY: all deps configure build test sanitize tsan run bench validate docs format format-check clean

all: build

deps:
	scripts/install-deps

# Configure once; afterwards Ninja re-runs CMake itself when a CMakeLists.txt changes. CMake
# picks up ccache as the compiler launcher when it is installed.
configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS); \
	fi

build: configure
	ninja -C $(BUILD_DIR) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

# Sanitizer builds, each in its own folder (docs/developer-guide.md, "Sanitizers"). -O1 -g keeps
# the stacks readable at a bearable speed. The torch engine is off: libtorch is not built with the
# sanitizers, so reports from inside it (its leaks, its OpenMP threads) would be about code that is
# not ours, and compiling its headers instrumented would double the build. abort_on_error turns
# every report into SIGABRT (exit 134), which no test expects, so a test that expects exit 1 or 2
# fails rather than passing on a sanitizer's own exit code. Open MPI and the Python interpreter are
# not instrumented either (their own allocations would be reported as leaks), so the mpi layer and
# the Python package are off too; their tests run in the ordinary build.
SANITIZE_DIR ?= build/sanitize
TSAN_DIR ?= build/tsan
SANITIZER_CMAKE_ARGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
  -DSTOCHOS_WITH_TORCH=OFF -DSTOCHOS_BUILD_BENCH=OFF -DSTOCHOS_WITH_PYTHON=OFF -DSTOCHOS_WITH_MPI=OFF
SANITIZER_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
  TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:second_deadlock_stack=1
# What runs on several threads: the samplers' chains (tests/infer, the CLI's sampling driver, the
# `stochos sample` runs of cli.sample* and of the doc tests) and one compiled density or native
# plan shared by threads with their own workspaces.
TSAN_TARGETS := stochos test_infer test_cli test_model test_native
TSAN_TESTS := ^(Laplace|Nuts|ExactPosterior|DiscreteExact|DiscreteCalibration|MetricAdaptation|StepSizeAdaptation|Sampling|CmdStanCsv|Advi|Variational|Pathfinder|PathfinderCommand|PathfinderInit|HessianTest|TraceOutput|MethodCsv)\.|^cli\.(sample|variational|pathfinder)|^docs\.|^ModelTest\.OneCompiledDensityServesSeveralThreads$$|^NativePlan\.ConcurrentCallsWithOwnWorkspacesAgree$$

# ASan + UBSan over the whole suite.
sanitize:
	$(MAKE) --no-print-directory build BUILD_DIR=$(SANITIZE_DIR) \
	  CMAKE_ARGS='$(SANITIZER_CMAKE_ARGS) -DSTOCHOS_SANITIZE=address,undefined'
	$(SANITIZER_ENV) ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j$(JOBS)

# ThreadSanitizer over the tests that run threads; only their programs are built.
tsan:
	$(MAKE) --no-print-directory configure BUILD_DIR=$(TSAN_DIR) \
	  CMAKE_ARGS='$(SANITIZER_CMAKE_ARGS) -DSTOCHOS_SANITIZE=thread'
	ninja -C $(TSAN_DIR) -j$(JOBS) $(TSAN_TARGETS)
	$(SANITIZER_ENV) ctest --test-dir $(TSAN_DIR) --output-on-failure -j$(JOBS) -R '$(TSAN_TESTS)'

# The main job: sample eight schools with NUTS (4 chains), progress bars, the summary table.
run: build
	$(STOCHOS) sample examples/eight_schools.stoch --data examples/eight_schools.data.json

# Samples every reference posterior (../shared/validation, ../shared/posteriordb, and ours in
# validation/posteriordb that carry their own reference) and compares
# it with its reference; writes docs/validation.md.
VALIDATION_DIRS ?= ../shared/validation ../shared/posteriordb validation/posteriordb
validate: build
	scripts/validate $(STOCHOS) --markdown docs/validation-table.md $(VALIDATION_DIRS)
	scripts/validate-approximations $(STOCHOS) --markdown docs/validation-approximations-table.md $(VALIDATION_DIRS)

bench: build
	@found=0; \
	for b in $$(find $(BUILD_DIR)/bench -maxdepth 1 -type f -executable 2>/dev/null | sort); do \
	  found=1; echo "== $$b"; "$$b"; \
	done; \
	if [ $$found -eq 0 ]; then echo "bench: no benchmark programs built yet"; fi

# Renders the figures of docs/ (Graphviz sources in docs/figures/*.dot) to SVG; the SVGs are
# committed, so a reader needs no Graphviz. Needs only `dot` (Debian's graphviz), not a build.
FIGURES := $(wildcard docs/figures/*.dot)
docs:
	@command -v dot >/dev/null || scripts/install-deps
	@for f in $(FIGURES); do \
	  echo "dot -Tsvg $$f -o $${f%.dot}.svg"; dot -Tsvg "$$f" -o "$${f%.dot}.svg"; \
	done

format:
	find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 | xargs -0 -r clang-format -i

format-check:
	find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 \
	  | xargs -0 -r clang-format --dry-run -Werror

# Removes only what this Makefile builds; other build folders under build/ are left alone.
clean:
	rm -rf $(BUILD_DIR)
