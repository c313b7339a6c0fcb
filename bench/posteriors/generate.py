#!/usr/bin/env python3
"""Writes the data of bench/posteriors (fixed seeds): posteriors that the comparison with Stan
(bench/ess_vs_stan.py) runs beside the reference ones, because the tracker named them slow."""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# A hierarchical logistic regression: 300 observations, 10 group intercepts, 2 slopes.
rng = np.random.default_rng(7)
N, J, K = 300, 10, 2
g = rng.integers(0, J, N)
x = rng.normal(size=(N, K))
a = rng.normal(0.3, 1.0, J)
b = np.array([0.8, -0.5])
eta = a[g] + x @ b
y = (rng.uniform(size=N) < 1 / (1 + np.exp(-eta))).astype(int)
with open(os.path.join(HERE, "hier_logistic.data.json"), "w") as f:
    json.dump({"N": N, "J": J, "K": K, "g": g.tolist(), "x": np.round(x, 6).tolist(), "y": y.tolist()}, f)
