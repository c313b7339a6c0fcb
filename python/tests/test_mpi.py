"""The package under mpirun (issue 16): chains across ranks give one process's draws; a sharded
likelihood (sample(shard_by=..., shards=...)) gives the same posterior; bad requests are errors."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import stochos as pm

MPIRUN = shutil.which("mpirun")
pytestmark = pytest.mark.skipif(MPIRUN is None, reason="Open MPI is not installed")

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import stochos as pm
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = 1.0 + 2.0 * x + rng.normal(scale=0.5, size=200)
    with pm.Model(coords={"obs": range(200)}):
        xd = pm.Data("x", x, dims="obs")
        a = pm.Normal("a", 0, 5)
        b = pm.Normal("b", 0, 5)
        s = pm.HalfNormal("s", 2)
        pm.Normal("y", a + b * xd, s, observed=y, dims="obs")
        kw = {"shard_by": "obs", "shards": int(sys.argv[2])} if sys.argv[2] != "0" else {}
        idata = pm.sample(draws=300, tune=300, chains=2, random_seed=4, progressbar=False, **kw)
    if idata is not None:
        json.dump({k: idata.posterior[k].values.tolist() for k in ("a", "b", "s")},
                  open(sys.argv[1], "w"))
""")


def run(tmp_path, np_, shards):
    script = tmp_path / "model.py"
    script.write_text(SCRIPT)
    out = tmp_path / f"out-{np_}-{shards}.json"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [sys.executable, str(script), str(out), str(shards)]
    if np_:
        cmd = [MPIRUN, "--oversubscribe", "-np", str(np_)] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return {k: np.asarray(v) for k, v in json.loads(out.read_text()).items()}


def test_chains_across_ranks_draw_what_one_process_draws(tmp_path):
    one = run(tmp_path, 0, 0)
    two = run(tmp_path, 2, 0)
    for k in one:
        np.testing.assert_array_equal(one[k], two[k])


def test_a_sharded_likelihood_gives_the_same_posterior(tmp_path):
    one = run(tmp_path, 0, 0)
    sharded = run(tmp_path, 2, 2)
    for k in one:
        # Within 4 Monte Carlo standard errors of the difference (600 draws, ESS about 400 each).
        se = np.hypot(one[k].std() / np.sqrt(400), sharded[k].std() / np.sqrt(400))
        assert abs(one[k].mean() - sharded[k].mean()) < 4 * se, k


def test_sharding_requests_that_cannot_work_are_errors():
    with pm.Model(coords={"obs": range(5), "g": range(2)}) as m:
        x = pm.Data("x", np.arange(5.0), dims="obs")
        z = pm.Normal("z", 0, 1, dims="obs")
        pm.Normal("y", z * x, 1, observed=np.zeros(5), dims="obs")
    with pytest.raises(ValueError, match="no dimension 'nope'"):
        pm.sample(draws=5, tune=5, chains=1, model=m, shard_by="nope", progressbar=False)
    with pytest.raises(ValueError, match="more than the 5 rows"):
        pm.sample(draws=5, tune=5, chains=1, model=m, shard_by="obs", shards=6, progressbar=False)
    with pytest.raises(ValueError, match="per-row unknowns"):
        pm.sample(draws=5, tune=5, chains=1, model=m, shard_by="obs", progressbar=False)
    with pytest.raises(ValueError, match="needs mpirun"):
        with pm.Model(coords={"obs": range(4)}):
            a = pm.Normal("a", 0, 1)
            pm.Normal("y", a, 1, observed=np.zeros(4), dims="obs")
            pm.sample(draws=5, tune=5, chains=2, shard_by="obs", shards=2, progressbar=False)
