#!/usr/bin/env python3
"""Stan's windowed adaptation against nutpie's (`--adapt nutpie`) on every reference posterior:
bulk ESS (the smallest over the variables) per gradient evaluation, warm-up included, with the
default warm-ups (Stan 1000, nutpie 400), and the shortest warm-up of a ladder with which each
passes scripts/validate's criterion. Writes a markdown table (docs/performance.md).

usage: bench/compare_adaptation.py STOCHOS [--markdown FILE] [DIR ...]
"""
import importlib.machinery
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("validate", os.path.join(HERE, "..", "scripts", "validate"))
_spec = importlib.util.spec_from_loader("validate", _loader)
validate = importlib.util.module_from_spec(_spec)
_loader.exec_module(validate)

LADDERS = {"stan": [150, 300, 500, 1000], "nutpie": [100, 200, 300, 400]}
DEFAULT = {"stan": 1000, "nutpie": 400}


def run(stochos, p, adapt, tune):
    name, model, data, reference, info, _ = p
    return validate.check(stochos, name, model, data, reference, info, seed=1,
                          extra=("--adapt", adapt, "--tune", str(tune)))


def main():
    args = sys.argv[1:]
    stochos = args.pop(0)
    markdown = None
    if "--markdown" in args:
        at = args.index("--markdown")
        markdown = args[at + 1]
        del args[at:at + 2]
    rows = []
    for p in validate.posteriors(args):
        if p[1] is None:
            continue
        row = {"name": p[0]}
        for adapt in ("stan", "nutpie"):
            r = run(stochos, p, adapt, DEFAULT[adapt])
            row[adapt] = r
            shortest = None
            for tune in LADDERS[adapt]:
                rr = r if tune == DEFAULT[adapt] else run(stochos, p, adapt, tune)
                if rr["status"] == "pass":
                    shortest = tune
                    break
            row[adapt + "_shortest"] = shortest
        rows.append(row)
        s, n = row["stan"], row["nutpie"]
        print(f"{p[0]:45s} stan {s['status']:9s} {ratio(s):>8s}  nutpie {n['status']:9s} {ratio(n):>8s}"
              f"  shortest {row['stan_shortest']} / {row['nutpie_shortest']}", flush=True)
    if markdown:
        with open(markdown, "w") as f:
            f.write("| posterior | Stan: result, ESS/grad | nutpie: result, ESS/grad | nutpie/Stan | "
                    "shortest passing warm-up, Stan / nutpie |\n|---|---|---|---:|---|\n")
            for row in rows:
                s, n = row["stan"], row["nutpie"]
                rel = (per_grad(n) / per_grad(s)) if per_grad(s) and per_grad(n) else float("nan")
                f.write(f"| {row['name']} | {s['status']}, {ratio(s)} | {n['status']}, {ratio(n)} | "
                        f"{rel:.2f}x | {row['stan_shortest'] or 'none of 150-1000'} / "
                        f"{row['nutpie_shortest'] or 'none of 100-400'} |\n")


def per_grad(r):
    if r.get("status") == "error" or not r.get("grad_evals"):
        return None
    return r["min_ess"] / r["grad_evals"]


def ratio(r):
    v = per_grad(r)
    return "error" if v is None else f"{v:.4f}"


if __name__ == "__main__":
    main()
