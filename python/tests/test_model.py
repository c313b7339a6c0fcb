"""PyMC's modelling API: statements, tensors, dims and coords, data, errors."""

import numpy as np
import pytest
import stochos as pm
from conftest import SCHOOLS, eight_schools_data


def eight_schools(coords=True):
    d = eight_schools_data()
    with pm.Model(coords={"school": SCHOOLS} if coords else None) as m:
        mu = pm.Normal("mu", mu=0, sigma=5)
        tau = pm.HalfCauchy("tau", beta=5)
        theta_z = pm.Normal("theta_z", mu=0, sigma=1, **({"dims": "school"} if coords else {"shape": 8}))
        theta = pm.Deterministic("theta", mu + tau * theta_z, dims="school" if coords else None)
        pm.Normal("y", mu=theta, sigma=d["sigma"], observed=d["y"], dims="school" if coords else None)
    return m


def test_statements_make_the_variables_pymc_lists():
    m = eight_schools()
    assert [v.name for v in m.free_RVs] == ["mu", "tau", "theta_z"]
    assert [v.name for v in m.observed_RVs] == ["y"]
    assert [v.name for v in m.deterministics] == ["theta"]
    assert m["theta_z"].shape == (8,)
    assert m.dims["theta_z"] == ("school",)
    assert m.value_vars == ["mu", "tau_log__", "theta_z"]
    assert set(m.initial_point()) == {"mu", "tau_log__", "theta_z"}


def test_the_same_model_from_python_and_from_the_language_has_the_same_log_density(examples):
    py = eight_schools(coords=False)
    file = pm.load(examples / "eight_schools.stoch", examples / "eight_schools.data.json")
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = {"mu": rng.normal(), "tau_log__": rng.normal(), "theta_z": rng.normal(size=8)}
        assert py.compile_logp()(point) == pytest.approx(file.compile_logp()(point), rel=1e-12)
        assert py.logp(point, jacobian=False) == pytest.approx(file.logp(point, jacobian=False), rel=1e-12)


def test_log_density_matches_an_independent_computation():
    from math import lgamma, log, pi

    m = eight_schools(coords=False)
    d = eight_schools_data()
    point = {"mu": 1.5, "tau": 2.0, "theta_z": np.linspace(-1, 1, 8)}
    theta = 1.5 + 2.0 * point["theta_z"]

    def normal(x, mu, s):
        return -0.5 * ((x - mu) / s) ** 2 - np.log(s) - 0.5 * log(2 * pi)

    expected = (normal(1.5, 0, 5) + (log(2 / pi) - log(5) - log(1 + (2.0 / 5) ** 2))
                + normal(point["theta_z"], 0, 1).sum() + normal(d["y"], theta, d["sigma"]).sum())
    del lgamma
    assert m.logp(point, jacobian=False) == pytest.approx(expected, rel=1e-12)
    terms = m.point_logps({"mu": 1.5, "tau_log__": np.log(2.0), "theta_z": point["theta_z"]}, round_vals=10)
    assert list(terms) == ["mu", "tau", "theta_z", "y"]


def test_operators_and_indexing_follow_numpy():
    a = np.arange(12.0).reshape(3, 4)
    b = np.linspace(-1, 1, 4)
    with pm.Model():
        A, B = pm.math.constant(a), pm.math.constant(b)
        np.testing.assert_allclose((A * B + 1).eval(), a * b + 1)
        np.testing.assert_allclose((2 - A / 4).eval(), 2 - a / 4)
        np.testing.assert_allclose((b - A).eval(), b - a)
        np.testing.assert_allclose((A ** 2).eval(), a ** 2)
        np.testing.assert_allclose((-A).eval(), -a)
        np.testing.assert_allclose(A[1].eval(), a[1])
        np.testing.assert_allclose(A[:, 2].eval(), a[:, 2])
        np.testing.assert_allclose(A[-1, 1:3].eval(), a[-1, 1:3])
        np.testing.assert_allclose(A[::2].eval(), a[::2])
        np.testing.assert_allclose(A[np.array([2, 0, 2])].eval(), a[[2, 0, 2]])
        np.testing.assert_allclose(A[:, np.array([3, 1])].eval(), a[:, [3, 1]])
        np.testing.assert_allclose(A[None, 0].eval(), a[None, 0])
        np.testing.assert_allclose(A.T.eval(), a.T)
        np.testing.assert_allclose(A.sum(axis=0).eval(), a.sum(axis=0))
        np.testing.assert_allclose(A.mean().eval(), a.mean())
        np.testing.assert_allclose(A.reshape(4, 3).eval(), a.reshape(4, 3))
        np.testing.assert_allclose(pm.math.exp(B).eval(), np.exp(b))
        np.testing.assert_allclose(pm.math.sigmoid(B).eval(), 1 / (1 + np.exp(-b)))
        np.testing.assert_allclose(pm.math.logsumexp(A, axis=1).eval(),
                                   np.log(np.exp(a).sum(axis=1)))
        np.testing.assert_allclose(pm.math.switch(B > 0, B, -B).eval(), np.abs(b))
        np.testing.assert_allclose(pm.math.stack([B, B]).eval(), np.stack([b, b]))
        assert (A > 5).dtype == "bool"
        assert A.shape == (3, 4) and A.ndim == 2 and len(A) == 3


def test_matmul_and_dot_have_numpys_shapes():
    with pm.Model():
        x = np.ones((5, 3))
        b = pm.Normal("b", 0, 1, shape=3)
        assert (x @ b).shape == (5,)
        assert pm.math.dot(x, b).shape == (5,)
        assert (b @ b).shape == ()


def test_data_containers_take_numpy_and_pandas_and_are_recorded():
    import pandas as pd

    df = pd.DataFrame({"x": np.linspace(0, 1, 6), "g": [0, 1, 2, 0, 1, 2]})
    with pm.Model(coords={"group": ["a", "b", "c"]}) as m:
        x = pm.Data("x", df["x"], dims="obs")
        g = pm.Data("g", df["g"].to_numpy())
        a = pm.Normal("a", 0, 1, dims="group")
        b = pm.Normal("b", 0, 1)
        pm.Normal("y", a[g] + b * x, 1, observed=np.zeros(6), dims="obs")
    assert m.coords["obs"] == tuple(range(6))
    assert g.dtype == "int64"
    assert [v.name for v in m.data_vars] == ["x", "g"]


def test_missing_observations_become_a_free_variable():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 10)
        pm.Normal("y", mu, 1, observed=np.array([1.0, np.nan, 2.0, np.nan]))
    assert [v.name for v in m.free_RVs] == ["mu", "y_unobserved"]
    assert m["y_unobserved"].shape == (2,)


@pytest.mark.parametrize("build, error, message", [
    (lambda: pm.Normal("x", 0, sd=1), ValueError, "Normal has no parameter 'sd'"),
    (lambda: pm.Normal("x", 0, -1), ValueError, "sigma"),
    (lambda: pm.Normal(3, 0, 1), TypeError, "name"),
    (lambda: pm.Normal("x", np.zeros(3), 1, shape=4), ValueError, "x"),
    (lambda: pm.Normal("x", 0, 1, dims="nowhere"), ValueError, "nowhere"),
    (lambda: pm.Normal("x", 0, 1, observed=["a", "b"]), TypeError, "observed 'x'"),
    (lambda: pm.Poisson("k", 3, observed=np.array([1.0, -2.0])), ValueError, "k"),
    (lambda: pm.math.exp(pm.math.constant(np.ones(3)))[5], ValueError, "out of bounds"),
    (lambda: pm.math.constant(np.ones(3)) + pm.math.constant(np.ones(4)), ValueError, "3"),
])
def test_bad_input_raises_pythons_exceptions_with_the_clis_messages(build, error, message):
    with pm.Model():
        pm.Normal("other", 0, 1)
        with pytest.raises(error, match=message) as e:
            build()
    assert "\n" not in str(e.value)


def test_name_clash_and_missing_names():
    with pm.Model() as m:
        pm.Normal("x", 0, 1)
        with pytest.raises(ValueError, match="'x'"):
            pm.Normal("x", 0, 1)
    with pytest.raises(KeyError, match="nope"):
        m["nope"]
    with pytest.raises(TypeError, match="no model"):
        pm.Normal("z", 0, 1)


def test_set_data_with_the_same_shape_changes_the_log_density():
    with pm.Model() as m:
        x = pm.Data("x", np.array([1.0, 2.0, 3.0]))
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu * x, 1, observed=np.array([1.0, 2.0, 3.0]))
    before = m.logp({"mu": 1.0})
    pm.set_data({"x": np.array([0.0, 0.0, 0.0])}, model=m)
    after = m.logp({"mu": 1.0})
    assert after < before


def test_set_data_with_a_new_shape_replays_the_model_for_prediction():
    with pm.Model() as m:
        x = pm.Data("x", np.array([1.0, 2.0, 3.0]))
        b = pm.Normal("b", 0, 1)
        pm.Normal("y", b * x, 0.1, observed=np.array([1.0, 2.0, 3.0]), shape=x.shape)
    pm.set_data({"x": np.array([10.0, 20.0])}, model=m)
    assert m["y"].shape == (2,)
    with pytest.raises(ValueError, match="set_data"):
        pm.sample(draws=10, tune=10, chains=1, model=m, progressbar=False)
    import xarray as xr

    post = xr.Dataset({"b": (("chain", "draw"), np.full((1, 50), 2.0))})
    pp = pm.sample_posterior_predictive(post, model=m, random_seed=1)
    y = pp.posterior_predictive["y"].values
    assert y.shape == (1, 50, 2)
    np.testing.assert_allclose(y.mean(axis=(0, 1)), [20.0, 40.0], atol=0.1)


def test_model_to_graphviz_draws_plates_from_dims():
    g = pm.model_to_graphviz(eight_schools())
    src = g.source
    assert src.startswith("digraph")
    assert "school (8)" in src
    assert '"mu" -> "theta"' in src and '"theta" -> "y"' in src
    assert '"mu" -> "y"' not in src
    assert g.pipe("svg").startswith(b"<?xml") or b"<svg" in g.pipe("svg")


def test_lkj_cholesky_cov_returns_pymcs_tuple():
    with pm.Model() as m:
        chol, corr, stds = pm.LKJCholeskyCov("chol", n=3, eta=2, sd_dist=pm.Exponential.dist(1.0))
    assert chol.shape == (3, 3) and corr.shape == (3, 3) and stds.shape == (3,)
    assert [v.name for v in m.deterministics] == ["chol_corr", "chol_stds"]


def test_lists_of_tensors_and_axis_keywords():
    with pm.Model():
        a = pm.Beta("a", 1, 1)
        w = pm.math.as_tensor([a, 1 - a]) if hasattr(pm.math, "as_tensor") else pm.as_tensor([a, 1 - a])
        assert w.shape == (2,)
        pm.Mixture("y", w=[a, 1 - a], comp_dists=[pm.Normal.dist(-1, 1), pm.Normal.dist(1, 1)],
                   observed=np.array([0.1, 0.5]))
        x = pm.math.constant(np.ones((2, 3)))
        assert pm.math.stack([x, x], axis=1).shape == (2, 2, 3)
        assert pm.math.softmax(x, axis=-1).shape == (2, 3)
        assert np.sum(x).shape == ()


def test_initval_and_initvals_set_the_starting_point():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 10, initval=3.0)
        pm.HalfNormal("sigma", 2, initval=0.5)
        pm.Normal("y", mu, 1, observed=np.array([0.0]))
    start = m.initial_point()
    assert start["mu"] == pytest.approx(3.0)
    assert start["sigma_log__"] == pytest.approx(np.log(0.5))
    # Partly given: the others keep the support point (HalfNormal's is sigma * sqrt(2 / pi)).
    packed = m._start({"mu": -1.0})
    assert packed[0] == pytest.approx(-1.0) and packed[1] == pytest.approx(np.log(0.5))
    with pytest.raises(ValueError, match="sigma"):
        m._start({"sigma": -1.0})
    with pytest.raises(KeyError, match="nope"):
        m._start({"nope": 1.0})
    idata = pm.sample(draws=20, tune=20, chains=1, model=m, initvals={"mu": 2.0}, progressbar=False)
    assert idata.posterior["mu"].shape == (1, 20)
