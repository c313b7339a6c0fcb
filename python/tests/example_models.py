"""Every model of examples/*.stoch written with PyMC's API, as a PyMC user writes it.

BUILDERS maps an example's name to a function of its data (``pm._core.load_data``'s dict of
arrays, nulls as NaN) that returns the model; test_examples.py checks each against the file.
"""

import numpy as np
import stochos as pm


def ar(d):
    with pm.Model() as m:
        rho = pm.Normal("rho", 0, 1, shape=2)
        sigma = pm.HalfNormal("sigma", 1)
        pm.AR("y", rho, sigma=sigma, constant=True, init_dist=pm.Normal.dist(0, 10), observed=d["y"])
    return m


def coal_mining(d):
    years = d["years"]
    with pm.Model(coords={"year": years}) as m:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=1851, upper=1961)
        early_rate = pm.Exponential("early_rate", 1.0)
        late_rate = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(switchpoint >= years, early_rate, late_rate)
        # The NaN entries are imputed: disasters_unobserved, disasters_observed and disasters.
        pm.Poisson("disasters", rate, observed=d["disasters"], dims="year")
    return m


def coal_mining_marginal(d):
    disasters, n = d["disasters"], int(d["N"])
    with pm.Model() as m:
        early = pm.Exponential("early", 1)
        late = pm.Exponential("late", 1)
        ll_early = disasters * pm.math.log(early) - early - pm.math.gammaln(disasters + 1)
        ll_late = disasters * pm.math.log(late) - late - pm.math.gammaln(disasters + 1)
        before = pm.math.concatenate([[0.0], pm.math.cumsum(ll_early)[:-1]])
        after = pm.math.cumsum(ll_late[::-1])[::-1]
        pm.Potential("switchpoint", pm.math.logsumexp(before + after - np.log(n)))
    return m


def eight_schools(d):
    with pm.Model(coords={"school": np.arange(int(d["J"]))}) as m:
        mu = pm.Normal("mu", mu=0, sigma=5)
        tau = pm.HalfCauchy("tau", beta=5)
        theta_z = pm.Normal("theta_z", mu=0, sigma=1, dims="school")
        theta = pm.Deterministic("theta", mu + tau * theta_z, dims="school")
        pm.Normal("y", mu=theta, sigma=d["sigma"], observed=d["y"], dims="school")
    return m


def eight_schools_centered(d):
    with pm.Model(coords={"school": np.arange(int(d["J"]))}) as m:
        mu = pm.Normal("mu", mu=0, sigma=5)
        tau = pm.HalfCauchy("tau", beta=5)
        theta = pm.Normal("theta", mu=mu, sigma=tau, dims="school")
        pm.Normal("y", mu=theta, sigma=d["sigma"], observed=d["y"], dims="school")
    return m


def latent_class(d):
    with pm.Model() as m:
        w = pm.Beta("w", 1, 1)
        mu = pm.Normal("mu", 0, 5, shape=2, transform=pm.distributions.transforms.ordered)
        sigma = pm.HalfNormal("sigma", 2)
        z = pm.Bernoulli("z", p=w, shape=int(d["N"]))
        pm.Normal("y", mu=mu[z], sigma=sigma, observed=d["y"])
    return m


def linear_regression(d):
    with pm.Model(coords={"predictor": np.arange(d["x"].shape[1])}) as m:
        x = pm.Data("x", d["x"], dims=("obs", "predictor"))
        alpha = pm.Normal("alpha", 0, 10)
        beta = pm.Normal("beta", 0, 5, dims="predictor")
        sigma = pm.HalfNormal("sigma", 5)
        pm.Normal("y", mu=alpha + x @ beta, sigma=sigma, observed=d["y"], dims="obs")
    return m


def logistic_regression(d):
    with pm.Model() as m:
        alpha = pm.Normal("alpha", 0, 2.5)
        beta = pm.Normal("beta", 0, 2.5, shape=d["x"].shape[1])
        pm.Bernoulli("y", logit_p=alpha + pm.math.dot(d["x"], beta), observed=d["y"])
    return m


def mixture(d):
    with pm.Model() as m:
        w = pm.Beta("w", 2, 2)
        mu = pm.Normal("mu", 0, 5, shape=2, transform=pm.distributions.transforms.ordered)
        sigma = pm.HalfNormal("sigma", 2, shape=2)
        # w=[w, 1 - w], as the file writes it, is refused: a list of tensors is not a tensor.
        pm.Mixture("y", w=pm.math.stack([w, 1 - w]),
                   comp_dists=[pm.Normal.dist(mu[0], sigma[0]), pm.Normal.dist(mu[1], sigma[1])],
                   observed=d["y"])
    return m


def mvnormal(d):
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 10, shape=2)
        # The packed factor, as the file has it (compute_corr=False; True gives PyMC 5's tuple).
        chol = pm.LKJCholeskyCov("chol", n=2, eta=2, sd_dist=pm.Exponential.dist(1.0),
                                  compute_corr=False)
        L = pm.math.expand_packed_triangular(2, chol)
        pm.MvNormal("y", mu=mu, chol=L, observed=d["y"])
        sigma = pm.Deterministic("sigma", pm.math.sqrt(pm.math.sum(pm.math.sqr(L), axis=1)))
        pm.Deterministic("rho", chol[1] / sigma[1])
    return m


def poisson_regression(d):
    with pm.Model() as m:
        alpha = pm.Normal("alpha", 0, 2)
        beta = pm.Normal("beta", 0, 1, shape=d["x"].shape[1])
        rate = pm.Deterministic("rate", pm.math.exp(alpha + d["x"] @ beta))
        pm.Poisson("y", rate, observed=d["y"])
    return m


def radon(d):
    with pm.Model(coords={"county": np.arange(int(d["J"]))}) as m:
        county = pm.Data("county_idx", d["county"], dims="obs")
        basement = pm.Data("basement", d["basement"], dims="obs")
        mu_a = pm.Normal("mu_a", 0, 10)
        sigma_a = pm.HalfNormal("sigma_a", 5)
        a_z = pm.Normal("a_z", 0, 1, dims="county")
        a = pm.Deterministic("a", mu_a + sigma_a * a_z, dims="county")
        b = pm.Normal("b", 0, 10)
        sigma_y = pm.HalfNormal("sigma_y", 5)
        pm.Normal("log_radon", a[county] + b * basement, sigma_y, observed=d["log_radon"], dims="obs")
    return m


def robust_regression(d):
    with pm.Model() as m:
        alpha = pm.Normal("alpha", 0, 10)
        beta = pm.Normal("beta", 0, 10)
        sigma = pm.HalfNormal("sigma", 2)
        nu = pm.Gamma("nu", alpha=2, beta=0.1)
        pm.StudentT("y", nu=nu, mu=alpha + beta * d["x"], sigma=sigma, observed=d["y"])
    return m


def stochastic_volatility(d):
    with pm.Model(coords={"time": np.arange(int(d["T"]))}) as m:
        step = pm.Exponential("step", 10)
        nu = pm.Exponential("nu", 0.1)
        innovations = pm.Normal("innovations", 0, 1, dims="time")
        log_vol = pm.Deterministic("log_vol", pm.math.cumsum(step * innovations) - 4, dims="time")
        pm.StudentT("returns", nu=nu, mu=0, sigma=pm.math.exp(log_vol), observed=d["returns"], dims="time")
    return m


def arma(d):
    y = d["y"]
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 10)
        phi = pm.Normal("phi", 0, 2)
        theta = pm.Normal("theta", 0, 2)
        sigma = pm.HalfCauchy("sigma", 2.5)
        err0 = y[0] - (mu + phi * mu)

        def step(y_prev, y_t, err_prev):
            return y_t - (mu + phi * y_prev + theta * err_prev)

        errs, _ = pm.scan(step, sequences=[dict(input=y, taps=[-1, 0])], outputs_info=[err0])
        err = pm.math.concatenate([pm.math.stack([err0]), errs])
        pm.Potential("lik", -0.5 * (err / sigma) ** 2 - pm.math.log(sigma) - 0.5 * np.log(2 * np.pi))
    return m


def local_level(d):
    y = np.asarray(d["y"], dtype=float)  # the Nile's flows are whole numbers
    with pm.Model() as m:
        sigma_obs = pm.HalfNormal("sigma_obs", 200)
        sigma_level = pm.HalfNormal("sigma_level", 200)
        v_obs, v_level = sigma_obs ** 2, sigma_level ** 2

        def step(y_t, m_prev, p_prev):  # the Kalman filter's mean and variance of the next level
            return (m_prev + p_prev / (p_prev + v_obs) * (y_t - m_prev),
                    p_prev * v_obs / (p_prev + v_obs) + v_level)

        p0 = v_obs + v_level
        (ms, ps), _ = pm.scan(step, sequences=[y[1:-1]], outputs_info=[y[0], p0])
        mean = pm.math.concatenate([[y[0]], ms])
        var = pm.math.concatenate([pm.math.stack([p0]), ps])
        pm.Normal("y_next", mean, pm.math.sqrt(var + v_obs), observed=y[1:])
    return m


def stochastic_volatility_ar(d):
    with pm.Model() as m:
        mu = pm.Cauchy("mu", 0, 10)
        phi = pm.Uniform("phi", -1, 1)
        sigma = pm.HalfCauchy("sigma", 5)
        h_std = pm.Normal("h_std", 0, 1, shape=int(d["T"]))
        h0 = mu + sigma * h_std[0] / pm.math.sqrt(1 - phi ** 2)
        hs, _ = pm.scan(lambda z, h_prev: mu + phi * (h_prev - mu) + sigma * z,
                        sequences=[h_std[1:]], outputs_info=[h0])
        h = pm.Deterministic("h", pm.math.concatenate([pm.math.stack([h0]), hs]))
        pm.Normal("returns", 0, pm.math.exp(h / 2), observed=d["returns"])
    return m


def stochastic_volatility_ar_centered(d):
    with pm.Model() as m:
        mu = pm.Cauchy("mu", 0, 10)
        phi = pm.Uniform("phi", -1, 1)
        sigma = pm.HalfCauchy("sigma", 5)
        h = pm.AR("h", pm.math.stack([mu * (1 - phi), phi]), sigma=sigma, constant=True,
                  init_dist=pm.Normal.dist(mu, sigma / pm.math.sqrt(1 - phi ** 2)),
                  shape=int(d["T"]))
        pm.Normal("returns", 0, pm.math.exp(h / 2), observed=d["returns"])
    return m


BUILDERS = {f.__name__: f for f in (
    ar, coal_mining, coal_mining_marginal, eight_schools, eight_schools_centered, latent_class,
    linear_regression, logistic_regression, mixture, mvnormal, poisson_regression, radon,
    robust_regression, stochastic_volatility, arma, local_level, stochastic_volatility_ar,
    stochastic_volatility_ar_centered)}

# Every example has a twin (the recurrences' through pm.scan).
NO_PYTHON_TWIN = set()

# The support of each discrete value variable: random points draw integers in it.
DISCRETE = {"switchpoint": (1851, 1961), "disasters_unobserved": (0, 8), "z": (0, 1)}
