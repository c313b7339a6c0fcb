#!/usr/bin/env python3
"""The issue's correlated regression: 24 predictors with pairwise correlation 0.95, 5 000 rows
(x = sqrt(rho) f + sqrt(1 - rho) e per row, seeded), sampled with each warm-up: Stan's windows
with the default --metric auto (Note [automatic metric]), --metric diag (the default before
2026-12-03), --dense-metric, --adapt nutpie and --adapt nutpie-lowrank. Prints wall
seconds, gradient evaluations (also per iteration, warm-up included), max-depth hits,
divergences, the smallest bulk ESS and ESS per gradient, each the median over --runs runs (seeds
1, 2, ...); --markdown FILE writes them as a table; --only I,J,... runs those configurations
(0-based, in the order above).

usage: bench/correlated_regression.py STOCHOS [--runs N] [--markdown FILE] [--only I,J]
       [--data-only FILE]
"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "correlated_regression.stoch")
N, K, RHO = 5000, 24, 0.95
CHAINS, DRAWS = 4, 1000
# name, flags, the warm-up those flags default to
CONFIGS = [("Stan windows, `--metric auto` (the default)", [], 1000),
           ("Stan windows, `--metric diag`", ["--metric", "diag"], 1000),
           ("Stan windows, `--dense-metric`", ["--dense-metric"], 1000),
           ("`--adapt nutpie`", ["--adapt", "nutpie"], 400),
           ("`--adapt nutpie-lowrank`", ["--adapt", "nutpie-lowrank"], 400)]


def data(seed=20261203):
    rng = random.Random(seed)
    beta = [rng.uniform(-1, 1) for _ in range(K)]
    x, y = [], []
    for _ in range(N):
        f = rng.gauss(0, 1)
        row = [RHO ** 0.5 * f + (1 - RHO) ** 0.5 * rng.gauss(0, 1) for _ in range(K)]
        x.append([round(v, 5) for v in row])
        y.append(round(0.5 + sum(b * v for b, v in zip(beta, row)) + rng.gauss(0, 1), 5))
    return {"N": N, "K": K, "x": x, "y": y}


def run(stochos, data_file, flags, tune, seed):
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        cmd = [stochos, "sample", MODEL, "--data", data_file, "--chains", str(CHAINS), "--draws",
               str(DRAWS), "--seed", str(seed), "--summary-json", summary, "--no-progress"] + flags
        t0 = time.time()
        subprocess.run(cmd, check=True, capture_output=True)
        seconds = time.time() - t0
        with open(summary) as f:
            got = json.load(f)
    s = got["sampler"]
    ess = min(v["ess_bulk"] or 0 for v in got["variables"])
    return {"seconds": seconds, "grads": s["grad_evals"],
            "per_iteration": s["grad_evals"] / (CHAINS * (DRAWS + tune)),
            "depth_hits": s["max_treedepth_hits"],
            "divergences": s["divergences"], "ess": ess, "per_grad": ess / s["grad_evals"],
            "dense": 1 if s.get("metric") == "dense" else 0}


def main():
    args = sys.argv[1:]
    stochos = args.pop(0)
    runs, markdown, only = 1, None, None
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--markdown":
            markdown = args.pop(0)
        elif a == "--only":
            only = [int(i) for i in args.pop(0).split(",")]
        elif a == "--data-only":
            with open(args.pop(0), "w") as f:
                json.dump(data(), f)
            return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data_file = os.path.join(tmp, "data.json")
        with open(data_file, "w") as f:
            json.dump(data(), f)
        for i, (name, flags, tune) in enumerate(CONFIGS):
            if only is not None and i not in only:
                continue
            rs = [run(stochos, data_file, flags, tune, seed) for seed in range(1, runs + 1)]
            med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
            rows.append((name, med))
            print(f"{name:40s} {med['seconds']:8.1f} s {med['grads']:>10.0f} grads "
                  f"({med['per_iteration']:.1f} per iteration) "
                  f"{med['depth_hits']:>6.0f} max-depth {med['divergences']:>4.0f} div "
                  f"ESS {med['ess']:7.0f}  ESS/grad {med['per_grad']:.5f}  "
                  f"grads by seed {[r['grads'] for r in rs]} dense in {sum(r['dense'] for r in rs)}",
                  flush=True)
    if markdown:
        with open(markdown, "w") as f:
            f.write("| warm-up | seconds | gradient evaluations | gradients per iteration | "
                    "max-depth hits | divergences | min bulk ESS | ESS/grad |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|\n")
            for name, m in rows:
                f.write(f"| {name} | {m['seconds']:.1f} | {m['grads']:.0f} | {m['per_iteration']:.1f} | "
                        f"{m['depth_hits']:.0f} | {m['divergences']:.0f} | {m['ess']:.0f} | "
                        f"{m['per_grad']:.4f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
