"""Inference from Python: sample (NUTS, compound steps, Ctrl-C), find_MAP, fit, pathfinder,
predictive draws, InferenceData with the model's coords, NetCDF, summary."""

import os
import signal
import threading

import numpy as np
import pytest
import stochos as pm
from conftest import SCHOOLS, eight_schools_data
from test_model import eight_schools


@pytest.fixture(scope="module")
def schools_idata():
    with eight_schools():
        return pm.sample(draws=300, tune=300, chains=2, random_seed=7, progressbar=False)


def test_sample_returns_the_posterior_with_coords_dims_and_arviz_names(schools_idata):
    idata = schools_idata
    post = idata.posterior
    assert post["theta_z"].dims == ("chain", "draw", "school")
    assert list(post["theta"].coords["school"].values) == SCHOOLS
    assert post["mu"].shape == (2, 300)
    assert {"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging",
            "energy"} <= set(idata.sample_stats.data_vars)
    assert idata.sample_stats["diverging"].dtype == bool
    np.testing.assert_array_equal(idata.observed_data["y"].values, eight_schools_data()["y"])
    # The posterior agrees with the reference (posteriordb eight_schools_noncentered): mu ~ 4.4.
    assert abs(float(post["mu"].mean()) - 4.4) < 1.0
    assert 2.0 < float(post["tau"].mean()) < 5.5


def test_the_same_seed_gives_the_same_draws():
    with eight_schools(coords=False):
        a = pm.sample(draws=50, tune=50, chains=2, random_seed=3, progressbar=False)
        b = pm.sample(draws=50, tune=50, chains=2, random_seed=3, progressbar=False, cores=1)
    np.testing.assert_array_equal(a.posterior["theta_z"].values, b.posterior["theta_z"].values)


def test_netcdf_round_trip_keeps_every_group(schools_idata, tmp_path):
    path = schools_idata.to_netcdf(str(tmp_path / "schools.nc"))
    back = pm.from_netcdf(path)
    assert back.groups() == schools_idata.groups()
    np.testing.assert_array_equal(back.posterior["theta"].values, schools_idata.posterior["theta"].values)
    assert list(back.posterior["theta"].coords["school"].values) == SCHOOLS


def test_summary_is_azs_table(schools_idata):
    s = pm.summary(schools_idata, var_names=["mu", "theta"])
    assert list(s.columns) == ["mean", "sd", "hdi_3%", "hdi_97%", "mcse_mean", "mcse_sd",
                               "ess_bulk", "ess_tail", "r_hat"]
    assert list(s.index) == ["mu"] + [f"theta[{n}]" for n in SCHOOLS]
    assert (s["r_hat"] < 1.05).all()
    assert s.loc["mu", "mean"] == pytest.approx(float(schools_idata.posterior["mu"].mean()))


def test_discrete_switch_point_samples_with_compound_steps(examples):
    data = pm._core.load_data(str(examples / "coal_mining.data.json"))
    counts = data["disasters"]
    years = np.arange(1851, 1851 + len(counts))
    with pm.Model():
        s = pm.DiscreteUniform("switchpoint", lower=years.min(), upper=years.max())
        early = pm.Exponential("early_rate", 1.0)
        late = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(s >= years, early, late)
        pm.Poisson("disasters", rate, observed=counts)
        idata = pm.sample(draws=500, tune=500, chains=2, random_seed=1, progressbar=False)
    sp = idata.posterior["switchpoint"]
    assert sp.dtype == np.int64
    assert 1885 <= float(sp.mean()) <= 1895
    assert idata.posterior["disasters_unobserved"].dtype == np.int64
    assert any(name.startswith("accept") for name in idata.sample_stats.data_vars)
    assert idata.sample_stats.attrs["tuning_steps"] == 500


def test_step_overrides_pick_the_method():
    with pm.Model():
        k = pm.Poisson("k", 4.0)
        x = pm.Normal("x", 0, 1)
        pm.Normal("y", x, 1, observed=np.array([0.5]))
        idata = pm.sample(draws=200, tune=200, chains=1, random_seed=2, progressbar=False,
                          step=[pm.Metropolis([k]), pm.Slice([x])])
    assert idata.posterior["k"].dtype == np.int64
    with pytest.raises(ValueError, match="nonexistent"):
        with pm.Model():
            pm.Normal("x", 0, 1)
            pm.sample(draws=10, tune=10, chains=1, progressbar=False,
                      step=pm.Metropolis(["nonexistent"]))


def test_ctrl_c_returns_the_draws_made_so_far():
    with eight_schools(coords=False):
        timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        idata = pm.sample(draws=10_000_000, tune=100, chains=2, random_seed=1, progressbar=False)
        timer.join()
    n = idata.posterior.sizes["draw"]
    assert 0 < n < 10_000_000


def test_find_map_fit_and_pathfinder():
    rng = np.random.default_rng(0)
    y = rng.normal(3.0, 2.0, size=200)
    with pm.Model():
        mu = pm.Normal("mu", 0, 10)
        sigma = pm.HalfNormal("sigma", 5)
        pm.Normal("y", mu, sigma, observed=y)
        mode = pm.find_MAP(random_seed=1)
        approx = pm.fit(n=5000, random_seed=1)
        pf = pm.pathfinder(random_seed=1, num_draws=500)
    assert mode["mu"] == pytest.approx(y.mean(), abs=1e-3)
    assert mode["sigma"] == pytest.approx(y.std(), rel=1e-3)
    assert mode["sigma_log__"] == pytest.approx(np.log(y.std()), rel=1e-3)
    draws = approx.sample(1000)
    assert draws.posterior["mu"].shape == (1, 1000)
    assert float(draws.posterior["mu"].mean()) == pytest.approx(y.mean(), abs=0.3)
    assert float(pf.posterior["mu"].mean()) == pytest.approx(y.mean(), abs=0.3)


def test_prior_and_posterior_predictive(schools_idata):
    with eight_schools() as m:
        prior = pm.sample_prior_predictive(draws=400, random_seed=1)
        post = pm.sample_posterior_predictive(schools_idata, random_seed=1)
    assert prior.prior["mu"].shape == (1, 400)
    assert prior.prior_predictive["y"].dims == ("chain", "draw", "school")
    assert float(prior.prior["mu"].std()) == pytest.approx(5, rel=0.15)
    assert post.posterior_predictive["y"].shape == (2, 300, 8)
    del m


def test_backends_choose_the_engine_per_call():
    assert "native" in pm.backends()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 2))
    y = (rng.random(100) < 1 / (1 + np.exp(-(x @ [1.0, -1.0])))).astype(int)
    results = {}
    for backend in pm.backends():
        with pm.Model():
            b = pm.Normal("b", 0, 5, shape=2)
            pm.Bernoulli("y", logit_p=x @ b, observed=y)
            idata = pm.sample(draws=400, tune=400, chains=2, random_seed=5, progressbar=False,
                              backend=backend)
        assert idata.attrs["backend"] == backend if hasattr(idata, "attrs") else True
        results[backend] = idata.posterior["b"].mean(axis=(0, 1)).values
    for backend, mean in results.items():
        np.testing.assert_allclose(mean, results["native"], atol=0.15)


def test_unknown_backend_is_a_value_error_listing_the_engines():
    with eight_schools(coords=False):
        with pytest.raises(ValueError, match="native"):
            pm.sample(draws=10, tune=10, chains=1, progressbar=False, backend="nope")


def test_log_likelihood_on_request_is_each_observations_log_density():
    d = eight_schools_data()
    with eight_schools():
        idata = pm.sample(draws=50, tune=50, chains=2, random_seed=4, progressbar=False,
                          idata_kwargs={"log_likelihood": True})
    ll = idata.log_likelihood["y"]
    assert ll.dims == ("chain", "draw", "school")
    theta = idata.posterior["theta"].values
    expected = (-0.5 * ((d["y"] - theta) / d["sigma"]) ** 2 - np.log(d["sigma"])
                - 0.5 * np.log(2 * np.pi))
    np.testing.assert_allclose(ll.values, expected, rtol=1e-10)


def test_nuts_sampler_nutpie_uses_nutpies_adaptation():
    with eight_schools(coords=False):
        idata = pm.sample(draws=300, chains=2, random_seed=3, progressbar=False,
                          nuts_sampler="nutpie")
        with pytest.raises(ValueError, match="numpyro"):
            pm.sample(draws=10, chains=1, progressbar=False, nuts_sampler="numpyro")
    assert idata.sample_stats.attrs["tuning_steps"] == 400
    assert abs(float(idata.posterior["mu"].mean()) - 4.4) < 1.5


def test_nutpie_low_rank_follows_a_correlated_posterior():
    # Ten coordinates with pairwise correlation 0.99: nutpie's diagonal metric mixes badly, the
    # low-rank one (Note [nutpie low-rank adaptation]) finds the correlation.
    cov = 0.01 * np.eye(10) + 0.99 * np.ones((10, 10))
    ess = {}
    for low_rank in (False, True):
        with pm.Model():
            pm.MvNormal("x", mu=np.zeros(10), cov=cov)
            idata = pm.sample(draws=300, chains=2, random_seed=5, progressbar=False,
                              nuts_sampler="nutpie",
                              nuts_sampler_kwargs={"low_rank_modified_mass_matrix": low_rank})
        ess[low_rank] = float(pm.summary(idata)["ess_bulk"].min())
        assert idata.sample_stats.attrs["tuning_steps"] == 400
    assert ess[False] < 100 and ess[True] > 300, ess
    with pm.Model():
        pm.Normal("x")
        with pytest.raises(ValueError, match="nutpie"):
            pm.sample(draws=10, chains=1, progressbar=False,
                      nuts_sampler_kwargs={"low_rank_modified_mass_matrix": True})


def test_a_correlated_posterior_under_a_diagonal_metric_is_a_warning(caplog):
    cov = 0.01 * np.eye(10) + 0.99 * np.ones((10, 10))
    for low_rank in (False, True):
        caplog.clear()
        with pm.Model():
            pm.MvNormal("x", mu=np.zeros(10), cov=cov)
            pm.sample(draws=200, chains=2, random_seed=5, progressbar=False, nuts_sampler="nutpie",
                      nuts_sampler_kwargs={"low_rank_modified_mass_matrix": low_rank})
        warned = [r.getMessage() for r in caplog.records if "strongly correlated" in r.getMessage()]
        if low_rank:
            assert not warned
        else:
            assert len(warned) == 1 and "low_rank_modified_mass_matrix" in warned[0], warned


def test_the_default_metric_turns_dense_on_a_correlated_posterior_and_adapt_diag_keeps_it_diagonal(
        caplog):
    # Stan's windows with the automatic metric (Note [automatic metric]) find the correlation;
    # init="adapt_diag" names the diagonal, which then mixes badly and is warned about.
    cov = 0.01 * np.eye(10) + 0.99 * np.ones((10, 10))
    ess, warned = {}, {}
    for init in ("auto", "adapt_diag"):
        caplog.clear()
        with pm.Model():
            pm.MvNormal("x", mu=np.zeros(10), cov=cov)
            idata = pm.sample(draws=300, tune=500, chains=2, random_seed=5, progressbar=False,
                              init=init)
        ess[init] = float(pm.summary(idata)["ess_bulk"].min())
        warned[init] = [r for r in caplog.records if "strongly correlated" in r.getMessage()]
    assert ess["auto"] > 300 and ess["adapt_diag"] < 150, ess
    assert not warned["auto"] and len(warned["adapt_diag"]) == 1, warned
