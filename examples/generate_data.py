#!/usr/bin/env python3
"""Writes the synthetic data of the examples (fixed seeds; eight schools is Rubin's real data).

Every data set here is simulated from the example's own model at stated true values, so the
posteriors should cover them; none of it is real measurement data except eight schools.
"""
import json
import math
import random

rng = random.Random(20261124)


def dump(name, data):
    with open(f"{name}.data.json", "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


def normal(mu=0.0, sigma=1.0):
    return rng.gauss(mu, sigma)


def poisson(lam):
    # Knuth's method: fine for the small rates used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# Eight schools, centred: the same data as eight_schools.
dump("eight_schools_centered", {"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12],
                                "sigma": [15, 10, 16, 11, 9, 11, 10, 18]})

# Radon-like varying intercepts: 12 counties, 120 houses, log radon = a[county] + b basement.
J, N = 12, 120
a = [normal(1.5, 0.4) for _ in range(J)]
county = [rng.randrange(J) for _ in range(N)]
basement = [float(rng.random() < 0.6) for _ in range(N)]
log_radon = [round(normal(a[c] - 0.6 * b, 0.7), 4) for c, b in zip(county, basement)]
dump("radon", {"N": N, "J": J, "county": county, "basement": basement, "log_radon": log_radon})

# Linear, logistic and Poisson regressions on the same kind of design: N = 100, K = 3.
N, K = 100, 3
x = [[round(normal(), 4) for _ in range(K)] for _ in range(N)]
beta = [0.5, -1.0, 0.25]
eta = [sum(b * v for b, v in zip(beta, row)) for row in x]
dump("linear_regression", {"N": N, "K": K, "x": x, "y": [round(1 + e + normal(0, 0.5), 4) for e in eta]})
dump("logistic_regression", {"N": N, "K": K, "x": x,
                             "y": [int(rng.random() < 1 / (1 + math.exp(-(0.3 + e)))) for e in eta]})
dump("poisson_regression", {"N": N, "K": K, "x": x,
                            "y": [poisson(math.exp(0.5 + 0.5 * e)) for e in eta]})

# Robust regression: a line with Student-t noise and a few gross outliers.
N = 60
xs = [round(i / N * 4 - 2, 4) for i in range(N)]
ys = [round(1 + 2 * v + normal(0, 0.3), 4) for v in xs]
for i in (5, 20, 41):
    ys[i] += 8
dump("robust_regression", {"N": N, "x": xs, "y": ys})

# Coal-mining-like counts: rate 3 for 40 years, then 1 for 70. (coal_mining.data.json is the
# real series, 1851-1961, as PyMC's example has it.)
dump("coal_mining_marginal", {"N": 110, "disasters": [poisson(3.0 if t < 40 else 1.0) for t in range(110)]})

# Stochastic volatility: a log-volatility random walk, returns with that scale.
T = 100
s, returns = 0.0, []
for _ in range(T):
    s += normal(0, 0.1)
    returns.append(round(normal(0, math.exp(s) * 0.02), 6))
dump("stochastic_volatility", {"T": T, "returns": returns})

# A two-component normal mixture: 30% around -1, 70% around 2.
dump("mixture", {"N": 200, "y": [round(normal(-1, 0.5) if rng.random() < 0.3 else normal(2, 0.8), 4)
                                 for _ in range(200)]})

# Correlated bivariate normal data: mean (1, -1), sds 1 and 2, correlation 0.6.
rho, N = 0.6, 80
rows = []
for _ in range(N):
    z1, z2 = normal(), normal()
    rows.append([round(1 + z1, 4), round(-1 + 2 * (rho * z1 + math.sqrt(1 - rho ** 2) * z2), 4)])
dump("mvnormal", {"N": N, "y": rows})  # covariance [[1, 1.2], [1.2, 4]]

# An AR(1) series with an intercept: y[t] = 0.5 + 0.7 y[t-1] + N(0, 0.5), started at the
# stationary mean 0.5 / 0.3.
T, y = 150, [0.5 / 0.3]
for _ in range(T - 1):
    y.append(0.5 + 0.7 * y[-1] + normal(0, 0.5))
dump("ar", {"T": T, "y": [round(v, 4) for v in y]})

# Latent classes: 200 points, each from class 1 (mean 2) with probability 0.35, else class 0
# (mean -1), sd 1 in both.
N = 200
z = [1 if rng.random() < 0.35 else 0 for _ in range(N)]
dump("latent_class", {"N": N, "y": [round(normal(2.0 if k else -1.0, 1.0), 4) for k in z]})

# --- Added with recurrences (issue 18). Appended after every draw above, so the data files
# above do not change when this file is re-run.

# ARMA(1, 1) in posteriordb's arma11 form, y[t] = mu + phi y[t-1] + theta err[t-1] + err[t],
# at mu = 0.5, phi = 0.6, theta = 0.3, sigma = 0.5; 100 steps of burn-in are dropped.
T, y_prev, e_prev, y = 200, 0.5 / 0.4, 0.0, []
for t in range(100 + T):
    e = normal(0, 0.5)
    y_prev, e_prev = 0.5 + 0.6 * y_prev + 0.3 * e_prev + e, e
    if t >= 100:
        y.append(round(y_prev, 4))
dump("arma", {"T": T, "y": y})

# Stochastic volatility with an AR(1) log variance (Stan's user guide): h[t] = mu + phi (h[t-1]
# - mu) + sigma eps[t], h[0] from the stationary N(mu, sigma / sqrt(1 - phi^2)), returns
# N(0, exp(h / 2)); mu = -9 (a daily sd of about 1.1%), phi = 0.95, sigma = 0.25, T = 200.
# The centred and non-centred examples read the same data.
T, mu, phi, sigma = 200, -9.0, 0.95, 0.25
h = [normal(mu, sigma / math.sqrt(1 - phi ** 2))]
for _ in range(T - 1):
    h.append(mu + phi * (h[-1] - mu) + normal(0, sigma))
returns = [round(normal(0, math.exp(v / 2)), 6) for v in h]
dump("stochastic_volatility_ar", {"T": T, "returns": returns})
dump("stochastic_volatility_ar_centered", {"T": T, "returns": returns})

# The Nile: annual flow volume at Aswan (10^8 m^3), 1871-1970, real data from R's datasets
# package (`Nile`; Durbin and Koopman's local level example), copied here, not simulated.
NILE = [1120, 1160, 963, 1210, 1160, 1160, 813, 1230, 1370, 1140, 995, 935, 1110, 994, 1020, 960,
        1180, 799, 958, 1140, 1100, 1210, 1150, 1250, 1260, 1220, 1030, 1100, 774, 840, 874, 694,
        940, 833, 701, 916, 692, 1020, 1050, 969, 831, 726, 456, 824, 702, 1120, 1100, 832, 764,
        821, 768, 845, 864, 862, 698, 845, 744, 796, 1040, 759, 781, 865, 845, 944, 984, 897, 822,
        1010, 771, 676, 649, 846, 812, 742, 801, 1040, 860, 874, 848, 890, 744, 749, 838, 1050,
        918, 986, 797, 923, 975, 815, 1020, 906, 901, 1170, 912, 746, 919, 718, 714, 740]
dump("local_level", {"T": len(NILE), "y": NILE})
