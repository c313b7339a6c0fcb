"""Issue 15: every example model built with PyMC's API (example_models.py) has the same
variables and the same log density as its .stoch file, and the same posterior."""

import numpy as np
import pytest
import stochos as pm
from conftest import EXAMPLES
from example_models import BUILDERS, DISCRETE, NO_PYTHON_TWIN

ALL_NAMES = sorted(p.name[:-len(".stoch")] for p in EXAMPLES.glob("*.stoch"))
NAMES = [n for n in ALL_NAMES if n not in NO_PYTHON_TWIN]


def models(name):
    data = EXAMPLES / f"{name}.data.json"
    return BUILDERS[name](pm._core.load_data(str(data))), pm.load(EXAMPLES / f"{name}.stoch", data)


def random_points(model, n, seed):
    """The initial point moved by N(0, 0.3) noise; discrete values drawn in their support."""
    rng = np.random.default_rng(seed)
    start = model.initial_point()
    points = []
    for _ in range(n):
        point = {}
        for k, v in start.items():
            v = np.asarray(v, dtype=float)
            if k in DISCRETE:
                point[k] = rng.integers(DISCRETE[k][0], DISCRETE[k][1] + 1, size=v.shape).astype(float)
            else:
                point[k] = v + rng.normal(0, 0.3, size=v.shape)
        points.append(point)
    return points


def test_every_example_has_a_python_twin():
    # Every example but those with recurrences (NO_PYTHON_TWIN, which must all exist).
    assert NAMES and set(NAMES) == set(BUILDERS)
    assert NO_PYTHON_TWIN <= set(ALL_NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_python_model_and_file_have_the_same_variables(name):
    py, file = models(name)
    for attr in ("free_RVs", "observed_RVs", "deterministics", "potentials"):
        assert [v.name for v in getattr(py, attr)] == [v.name for v in getattr(file, attr)], attr
    assert py.value_vars == file.value_vars
    start_py, start_file = py.initial_point(), file.initial_point()
    for k in start_file:
        np.testing.assert_array_equal(start_py[k], start_file[k], err_msg=k)


@pytest.mark.parametrize("backend", pm.backends())
@pytest.mark.parametrize("name", NAMES)
def test_python_model_and_file_have_the_same_log_density(name, backend):
    # The file's model on the native engine is the reference; the Python model on every engine
    # (torch's float64 kernels sum in another order: a looser tolerance there).
    rel = 1e-10 if backend == "native" else 1e-9
    py, file = models(name)
    for point in random_points(file, 4, seed=sum(map(ord, name))):
        for jacobian in (True, False):
            expected = file.compile_logp(jacobian=jacobian)(point)
            assert np.isfinite(expected), f"{name}: the file's log density is {expected} at {point}"
            got = py.compile_logp(jacobian=jacobian, backend=backend)(point)
            assert got == pytest.approx(expected, rel=rel), jacobian


@pytest.mark.parametrize("backend", pm.backends())
@pytest.mark.parametrize("name", ["eight_schools", "logistic_regression", "radon", "coal_mining"])
def test_python_model_and_file_have_the_same_posterior(name, backend):
    # Issue 15's "done when": PyMC's code for these runs on both engines and matches the file.
    py, file = models(name)
    s_py, s_file = (pm.summary(pm.sample(draws=300, tune=300, chains=2, random_seed=1,
                                         progressbar=False, model=m, backend=b))
                    for m, b in ((py, backend), (file, "native")))
    # Rows by position: the Python model may label them by its coords (disasters[1851]).
    assert [i.split("[")[0] for i in s_py.index] == [i.split("[")[0] for i in s_file.index]
    bound = 4 * np.hypot(s_py["mcse_mean"].values, s_file["mcse_mean"].values)
    assert (abs(s_py["mean"].values - s_file["mean"].values) <= bound).all(), (s_py, s_file)
