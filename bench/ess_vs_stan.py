#!/usr/bin/env python3
"""Bulk ESS per second and time per gradient, Stochos against Stan (rstan), on every reference
posterior, on the same machine in one go (docs/performance.md, "Sampling against Stan").

usage: bench/ess_vs_stan.py STOCHOS [--stan-cache DIR] [--markdown FILE] [--only NAME,...] [DIR...]

Each posterior of the DIRs (the layouts scripts/validate reads: NAME.stoch beside NAME.stan in a
folder, or posteriordb folders, whose Stan program is bench/stan/<model>.stan; without DIRs,
scripts/validate's defaults, which include this repository's validation/posteriordb folders
with their own reference) runs with rstan (bench/stan_fit.R) and then with `stochos sample`:
4 chains x 1000 draws after 1000 warm-up, one chain at a time on one core, seed 1, the posterior's adapt_delta (at least 0.8) for both. Time is
each sampler's own warm-up + sampling time summed over chains; ESS the smallest bulk ESS over the
variables; time per gradient the time over every gradient evaluation (leapfrog steps for Stan),
warm-up included, so that a slow gradient and a poor adaptation can be told apart. Stan's results
are kept in --stan-cache (default bench/.stan-cache) and reused: Stan's side depends only on the
posterior. Extra arguments after `--` go to `stochos sample`.
"""
import importlib.machinery
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("validate", os.path.join(HERE, "..", "scripts", "validate"))
_spec = importlib.util.spec_from_loader("validate", _loader)
validate = importlib.util.module_from_spec(_spec)
_loader.exec_module(validate)


def stan_program(name, model):
    """The Stan program beside a validation model, else posteriordb's (bench/stan)."""
    beside = model[: -len(".stoch")] + ".stan"
    if os.path.exists(beside):
        return beside, True
    path = os.path.join(HERE, "stan", name.split("-", 1)[-1] + ".stan")
    return (path, False) if os.path.exists(path) else (None, False)


def for_rstan_2_21(code):
    """`array[N] T x;` -> `T x[N];` and no generated quantities (bench/stan/README.md)."""
    code = re.sub(r"array\[([^\]]+)\]\s+(.+?)\s+(\w+)\s*;", r"\2 \3[\1];", code)
    at = code.find("generated quantities")
    return code[:at] if at >= 0 else code


def stan_data(data_path, code, zero_based):
    """The validation data are 0-based where Stan declares int<lower=1> index arrays."""
    with open(data_path) as f:
        data = json.load(f)
    if zero_based:
        for key, value in data.items():
            if re.search(r"int<lower=1>\s*" + re.escape(key) + r"\s*\[", code):
                data[key] = [v + 1 for v in value]
    return data


def run_stan(name, stan, data_path, zero_based, delta, cache):
    out = os.path.join(cache, name + ".json")
    if os.path.exists(out):
        with open(out) as f:
            return json.load(f)
    with open(stan) as f:
        code = for_rstan_2_21(f.read())
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "model.stan")
        data = os.path.join(tmp, "data.json")
        with open(model, "w") as f:
            f.write(code)
        with open(data, "w") as f:
            json.dump(stan_data(data_path, code, zero_based), f)
        run = subprocess.run(["Rscript", os.path.join(HERE, "stan_fit.R"), model, data, str(delta), out],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{name}: rstan failed: {run.stderr.strip()[-400:]}", file=sys.stderr)
            return None
    with open(out) as f:
        return json.load(f)


def run_stochos(stochos, model, data, delta, extra):
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        cmd = [stochos, "sample", model, "--data", data, "--chains", "4", "--draws", "1000",
               "--tune", "1000", "--seed", "1", "--cores", "1", "--target-accept", str(delta),
               "--no-progress", "--summary-json", summary] + list(extra)
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{model}: stochos failed: {run.stderr.strip()[-400:]}", file=sys.stderr)
            return None
        with open(summary) as f:
            got = json.load(f)
    s = got["sampler"]
    seconds = sum(s["seconds"]["tune"]) + sum(s["seconds"]["sample"])
    ess = [v["ess_bulk"] for v in got["variables"] if v.get("ess_bulk") is not None
           and not math.isnan(v["ess_bulk"])]
    return {"seconds": seconds, "grad_evals": s["grad_evals"], "min_ess_bulk": min(ess),
            "divergences": s["divergences"]}


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        at = args.index("--")
        args, extra = args[:at], args[at + 1:]
    stochos = args.pop(0)
    opts = {"--stan-cache": os.path.join(HERE, ".stan-cache"), "--markdown": None, "--only": None}
    for key in list(opts):
        if key in args:
            at = args.index(key)
            opts[key] = args[at + 1]
            del args[at:at + 2]
    os.makedirs(opts["--stan-cache"], exist_ok=True)
    only = set(opts["--only"].split(",")) if opts["--only"] else None
    rows, ratios = [], []
    for name, model, data, _reference, info, _ours in validate.posteriors(args or validate.default_dirs()):
        if only and name not in only:
            continue
        stan, zero_based = stan_program(name, model or "")
        if model is None or stan is None:
            print(f"{name}: skipped (no {'model' if model is None else 'Stan program'})", file=sys.stderr)
            continue
        delta = max(0.8, validate.adapt_delta(info))
        st = run_stan(name, stan, data, zero_based, delta, opts["--stan-cache"])
        us = run_stochos(stochos, model, data, delta, extra)
        if st is None or us is None:
            continue
        st_rate, us_rate = st["min_ess_bulk"] / st["seconds"], us["min_ess_bulk"] / us["seconds"]
        ratio = us_rate / st_rate
        ratios.append(ratio)
        row = (f"| {name} | {st['seconds']:.2f} | {st['min_ess_bulk']:.0f} | {st_rate:,.0f} | "
               f"{1e6 * st['seconds'] / st['grad_evals']:.2f} | {us['seconds']:.2f} | "
               f"{us['min_ess_bulk']:.0f} | {us_rate:,.0f} | {1e6 * us['seconds'] / us['grad_evals']:.2f} | "
               f"{ratio:.2f} |").replace(",", " ")
        rows.append(row)
        print(row, flush=True)
    head = ("| posterior | Stan s | Stan min ESS | Stan ESS/s | Stan µs/grad | Stochos s | "
            "Stochos min ESS | Stochos ESS/s | Stochos µs/grad | ratio |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else float("nan")
    text = head + "\n" + "\n".join(rows) + (
        f"\n\nGeometric mean {geo:.2f}x over {len(ratios)} posteriors; lowest "
        f"{min(ratios):.2f}x.\n" if ratios else "\n")
    print(text)
    if opts["--markdown"]:
        with open(opts["--markdown"], "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
