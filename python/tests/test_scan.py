"""pm.scan: PyTensor's scan over the graph's scan op: log densities and gradients against NumPy
loops, taps, per-step outputs, n_steps, go_backwards, closures, sampling, replays, errors."""

import numpy as np
import pytest
import stochos as pm
from stochos import scan


def normal_logpdf(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


Y = np.random.default_rng(0).normal(0.1, 0.8, size=30)
SIGMA1 = 0.7


def garch_model(y=Y, closure=False):
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 10)
        a0 = pm.HalfNormal("alpha0", 1)
        a1 = pm.Uniform("alpha1", 0, 1)
        b1 = pm.Uniform("beta1", 0, 1 - a1)
        if closure:  # the step uses the model's variables directly
            sigma2, updates = pm.scan(
                lambda y_prev, s2: a0 + a1 * (y_prev - mu) ** 2 + b1 * s2,
                sequences=[y[:-1]], outputs_info=[SIGMA1 ** 2])
        else:
            def step(y_prev, sigma2_prev, a0, a1, b1, mu):
                return a0 + a1 * (y_prev - mu) ** 2 + b1 * sigma2_prev

            sigma2, updates = pm.scan(step, sequences=[y[:-1]], outputs_info=[SIGMA1 ** 2],
                                      non_sequences=[a0, a1, b1, mu])
        assert updates == {}
        pm.Normal("y", mu, pm.math.sqrt(pm.math.concatenate([[SIGMA1 ** 2], sigma2])), observed=y)
    return m


def garch_numpy(mu, a0, a1, b1, y=Y):
    """The model's log density (no Jacobian) by a plain loop."""
    s2 = [SIGMA1 ** 2]
    for t in range(1, len(y)):
        s2.append(a0 + a1 * (y[t - 1] - mu) ** 2 + b1 * s2[-1])
    return (normal_logpdf(mu, 0, 10) + np.log(np.sqrt(2 / np.pi)) - a0 ** 2 / 2
            - np.log(1 - a1) + normal_logpdf(y, mu, np.sqrt(np.array(s2))).sum())


def garch_unconstrained(u):
    """(mu, alpha0, alpha1, beta1) of the unconstrained point, and the log-Jacobian: log and
    interval transforms (beta1's interval is (0, 1 - alpha1))."""
    a1 = sigmoid(u[2])
    b1 = (1 - a1) * sigmoid(u[3])
    log_jac = (u[1] + np.log(a1 * (1 - a1))
               + np.log((1 - a1) * sigmoid(u[3]) * (1 - sigmoid(u[3]))))
    return (u[0], np.exp(u[1]), a1, b1), log_jac


def garch_density(u):
    """The samplers' density: on the unconstrained space, with the log-Jacobian."""
    c, log_jac = garch_unconstrained(u)
    return garch_numpy(*c) + log_jac


@pytest.mark.parametrize("closure", [False, True])
def test_garch_log_density_and_gradient_match_a_numpy_loop(closure):
    m = garch_model(closure=closure)
    assert m.value_vars == ["mu", "alpha0_log__", "alpha1_interval__", "beta1_interval__"]
    rng = np.random.default_rng(1)
    for _ in range(4):
        u = rng.normal(0, 0.7, size=4)
        point = dict(zip(m.value_vars, u))
        c, _ = garch_unconstrained(u)
        assert m.compile_logp(jacobian=False)(point) == pytest.approx(garch_numpy(*c), rel=1e-10)
        assert m.compile_logp()(point) == pytest.approx(garch_density(u), rel=1e-10)
        h = 1e-6
        fd = [(garch_density(u + h * e) - garch_density(u - h * e)) / (2 * h) for e in np.eye(4)]
        grad = m.compile_dlogp()(point)  # by value variable
        np.testing.assert_allclose([grad[n][0] for n in m.value_vars], fd, rtol=1e-6, atol=1e-6)
        for backend in pm.backends():  # every engine runs the scan (torch: its own loop)
            assert m.compile_logp(backend=backend)(point) == pytest.approx(garch_density(u),
                                                                        rel=1e-10)
            grad = m.compile_dlogp(backend=backend)(point)
            np.testing.assert_allclose([grad[n][0] for n in m.value_vars], fd, rtol=1e-6,
                                       atol=1e-6)


def test_arma11_reads_a_sequence_at_two_taps():
    y = np.random.default_rng(2).normal(size=25)
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        phi = pm.Normal("phi", 0, 0.5)
        theta = pm.Normal("theta", 0, 0.5)

        def step(y_prev, y_now, err_prev, mu, phi, theta):
            return y_now - mu - phi * y_prev - theta * err_prev

        err, _ = pm.scan(step, sequences=[dict(input=y, taps=[-1, 0])],
                         outputs_info=[np.float64(0.0)], non_sequences=[mu, phi, theta])
        assert err.shape == (24,)
        pm.Potential("lik", pm.math.sum(-0.5 * err ** 2))

    def numpy_logp(mu, phi, theta):
        e, total = 0.0, 0.0
        for t in range(1, len(y)):
            e = y[t] - mu - phi * y[t - 1] - theta * e
            total += -0.5 * e ** 2
        return total + normal_logpdf(mu, 0, 1) + normal_logpdf(np.array([phi, theta]), 0, 0.5).sum()

    rng = np.random.default_rng(3)
    for _ in range(3):
        p = rng.normal(0, 0.4, size=3)
        got = m.compile_logp()({"mu": p[0], "phi": p[1], "theta": p[2]})
        assert got == pytest.approx(numpy_logp(*p), rel=1e-10)


def test_a_lag_two_carry_is_fibonacci():
    with pm.Model():
        fib, _ = scan(lambda x1, x2: x1 + x2, outputs_info=[dict(initial=np.array([0.0, 1.0]),
                                                                 taps=[-1, -2])], n_steps=8)
        np.testing.assert_array_equal(fib.eval(), [1, 2, 3, 5, 8, 13, 21, 34])
        # The taps' order is the arguments' order: x[t-2] first here.
        lag, _ = scan(lambda x2, x1: x1 - x2, outputs_info=[dict(initial=np.array([1.0, 3.0]),
                                                                 taps=[-2, -1])], n_steps=4)
        np.testing.assert_array_equal(lag.eval(), [2, -1, -3, -2])


def test_per_step_outputs_n_steps_and_several_outputs():
    x = np.arange(1.0, 6.0)
    with pm.Model():
        # outputs_info None: a per-step output, not fed back; the carry comes second.
        sq, total = scan(lambda v, acc: (v ** 2, acc + v), sequences=x,
                         outputs_info=[None, np.float64(0.0)])[0]
        np.testing.assert_array_equal(sq.eval(), x ** 2)
        np.testing.assert_array_equal(total.eval(), np.cumsum(x))
        # No outputs_info at all: every returned value is per step (a map).
        doubled, _ = scan(lambda v: v * 2, sequences=[x])
        np.testing.assert_array_equal(doubled.eval(), 2 * x)
        powers, _ = scan(lambda p, base: p * base, outputs_info=np.float64(1.0),
                         non_sequences=np.float64(3.0), n_steps=4)
        np.testing.assert_array_equal(powers.eval(), [3, 9, 27, 81])
        # n_steps shorter than the sequences takes their first rows, as PyTensor does.
        first, _ = scan(lambda v: v + 1, sequences=[x], n_steps=3)
        np.testing.assert_array_equal(first.eval(), x[:3] + 1)
        listed, _ = scan(lambda v: v, sequences=[x], return_list=True)
        assert isinstance(listed, list) and len(listed) == 1


def test_go_backwards_steps_from_the_end_and_stacks_in_step_order():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    with pm.Model():
        acc, _ = scan(lambda v, a: a + v, sequences=[x], outputs_info=[np.float64(0.0)],
                      go_backwards=True)
        # As PyTensor: row t is the t-th step taken, over x[::-1].
        np.testing.assert_array_equal(acc.eval(), np.cumsum(x[::-1]))
        lagged, _ = scan(lambda prev, now: now - prev, sequences=[dict(input=x, taps=[-1, 0])],
                         go_backwards=True)
        np.testing.assert_array_equal(lagged.eval(), np.diff(x)[::-1])


def test_vector_carry_and_model_functions_in_the_step():
    with pm.Model():
        w = np.array([[0.5, 0.1], [0.2, 0.3]])
        states, _ = scan(lambda s, w: pm.math.tanh(pm.math.dot(w, s)) + 1.0,
                         outputs_info=[np.array([1.0, -1.0])], non_sequences=[w], n_steps=3)
        s, expected = np.array([1.0, -1.0]), []
        for _ in range(3):
            s = np.tanh(w @ s) + 1.0
            expected.append(s)
        np.testing.assert_allclose(states.eval(), expected, rtol=1e-14)


def test_a_scan_in_a_step_function():
    x = np.array([1.0, 2.0, 3.0])
    with pm.Model():
        def outer(v, acc):
            inner, _ = scan(lambda a: a + v, outputs_info=[acc], n_steps=2)
            return inner[-1]

        out, _ = scan(outer, sequences=[x], outputs_info=[np.float64(0.0)])
        np.testing.assert_array_equal(out.eval(), np.cumsum(2 * x))


def garch_sample_model(y):
    with pm.Model() as m:
        data = pm.Data("y", y)
        mu = pm.Normal("mu", 0, 1)
        a0 = pm.HalfNormal("alpha0", 1)
        a1 = pm.Uniform("alpha1", 0, 0.5)
        # pm.math.constant: a model tensor made in the step, also when set_data replays it
        # outside the model's context.
        sigma2, _ = pm.scan(
            lambda y_prev, s2, a0, a1, mu: a0 + a1 * (y_prev - mu) ** 2 + pm.math.constant(0.3) * s2,
            sequences=[data[:-1]], outputs_info=[np.float64(0.5)], non_sequences=[a0, a1, mu])
        pm.Deterministic("sigma2", sigma2)
        pm.Normal("obs", mu, pm.math.sqrt(pm.math.concatenate([[0.5], sigma2])), observed=data,
                  shape=data.shape)
    return m


def test_sampling_a_recurrence_and_replaying_it_with_a_new_series_length():
    y = np.random.default_rng(4).normal(0.2, 0.7, size=20)
    m = garch_sample_model(y)
    with m:
        idata = pm.sample(draws=60, tune=60, chains=1, random_seed=5, progressbar=False)
    post = idata.posterior
    assert {"mu", "alpha0", "alpha1", "sigma2"} <= set(post.data_vars)
    assert post["sigma2"].shape == (1, 60, 19)
    assert np.isfinite(post["mu"].values).all() and (post["sigma2"].values > 0).all()
    # set_data with a new length replays the scan; the log density then is the new series'.
    point = {"mu": 0.1, "alpha0": 0.4, "alpha1": 0.2}
    y2 = y[:12]
    pm.set_data({"y": y2}, model=m)
    assert m["sigma2"].shape == (11,)
    assert m.logp(point, jacobian=False) == pytest.approx(
        garch_sample_model(y2).logp(point, jacobian=False), rel=1e-12)


def test_bad_steps_raise_one_line_errors():
    x = np.arange(4.0)
    with pm.Model():
        with pytest.raises(ValueError, match=r"fn returned 2 value\(s\) but outputs_info has 1"):
            scan(lambda v, a: (a + v, a), sequences=[x], outputs_info=[np.float64(0.0)])
        with pytest.raises(ValueError, match=r"outputs_info\[0\].*keeps its shape"):
            scan(lambda v, a: a + np.ones(3), sequences=[x], outputs_info=[np.float64(0.0)])
        with pytest.raises(ValueError, match=r"sequences\[0\] gives 4 and sequences\[1\] gives 3"):
            scan(lambda u, v: u + v, sequences=[x, x[:3]])
        with pytest.raises(ValueError, match="one dtype"):
            scan(lambda v: (v, v > 1), sequences=[x])
        with pytest.raises(ValueError, match="give sequences or n_steps"):
            scan(lambda a: a, outputs_info=[np.float64(0.0)])
        with pytest.raises(ValueError, match="taps .* must be negative"):
            scan(lambda a: a, outputs_info=[dict(initial=np.float64(0.0), taps=[0])], n_steps=2)
        with pytest.raises(ValueError, match="leading axis of 2"):
            scan(lambda a, b: a + b, outputs_info=[dict(initial=np.float64(0.0), taps=[-1, -2])],
                 n_steps=2)
        with pytest.raises(ValueError, match="truncate_gradient"):
            scan(lambda v: v, sequences=[x], truncate_gradient=3)
        with pytest.raises(ValueError, match="updates are not supported"):
            scan(lambda v: (v, {"k": v}), sequences=[x])
        with pytest.raises(ValueError, match="cannot add variables"):
            scan(lambda v: pm.Normal("z", v, 1), sequences=[x])
        with pytest.raises(TypeError, match="missing"):
            scan(lambda v, w: v, sequences=[x])
        kept = []
        out, _ = scan(lambda v: kept.append(v) or v, sequences=[x])
        with pytest.raises(ValueError, match="used after the step returned"):
            kept[0] + 1.0
