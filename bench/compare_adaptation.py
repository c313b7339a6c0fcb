#!/usr/bin/env python3
"""Stan's windowed adaptation against nutpie's (`--adapt nutpie`, `--adapt nutpie-lowrank`) on
every reference posterior: bulk ESS (the smallest over the variables) per gradient evaluation,
warm-up included, with the default warm-ups (Stan 1000, nutpie's 400), and the shortest warm-up of
a ladder with which each passes scripts/validate's criterion. Writes a markdown table
(docs/performance.md), one column pair per adaptation.

usage: bench/compare_adaptation.py STOCHOS [--markdown FILE] [--adapt A,B,...] [DIR ...]
(--adapt: the adaptations to run, default stan,stan-diag,nutpie,nutpie-lowrank; "stan" is Stan's
windows with the default --metric auto, "stan-diag" the same with --metric diag, the default
before 2026-12-03)
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

NUTPIE_LADDER = [100, 200, 300, 400]
STAN_LADDER = [150, 300, 500, 1000]
LADDERS = {"stan": STAN_LADDER, "stan-diag": STAN_LADDER, "nutpie": NUTPIE_LADDER,
           "nutpie-lowrank": NUTPIE_LADDER}
DEFAULT = {"stan": 1000, "stan-diag": 1000, "nutpie": 400, "nutpie-lowrank": 400}
FLAGS = {"stan": ("--adapt", "stan"), "stan-diag": ("--adapt", "stan", "--metric", "diag"),
         "nutpie": ("--adapt", "nutpie"), "nutpie-lowrank": ("--adapt", "nutpie-lowrank")}


def run(stochos, p, adapt, tune):
    name, model, data, reference, info, _ = p
    return validate.check(stochos, name, model, data, reference, info, seed=1,
                          extra=FLAGS[adapt] + ("--tune", str(tune)))


def main():
    args = sys.argv[1:]
    stochos = args.pop(0)
    markdown, adapts = None, ["stan", "stan-diag", "nutpie", "nutpie-lowrank"]
    if "--markdown" in args:
        at = args.index("--markdown")
        markdown = args[at + 1]
        del args[at:at + 2]
    if "--adapt" in args:
        at = args.index("--adapt")
        adapts = args[at + 1].split(",")
        del args[at:at + 2]
    rows = []
    for p in validate.posteriors(args):
        if p[1] is None:
            continue
        row = {"name": p[0]}
        for adapt in adapts:
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
        print(f"{p[0]:45s} " + "  ".join(
            f"{a} {row[a]['status']} {ratio(row[a])} (shortest {row[a + '_shortest']})" for a in adapts),
            flush=True)
    if markdown:
        with open(markdown, "w") as f:
            f.write("| posterior | " + " | ".join(f"{a}: result, ESS/grad" for a in adapts) +
                    " | shortest passing warm-up, " + " / ".join(adapts) + " |\n")
            f.write("|---|" + "---|" * len(adapts) + "---|\n")
            for row in rows:
                cells = [f"{row[a]['status']}, {ratio(row[a])}" for a in adapts]
                shortest = [str(row[a + "_shortest"] or "none") for a in adapts]
                f.write(f"| {row['name']} | " + " | ".join(cells) + " | " + " / ".join(shortest) + " |\n")


def per_grad(r):
    if r.get("status") == "error" or not r.get("grad_evals"):
        return None
    return r["min_ess"] / r["grad_evals"]


def ratio(r):
    v = per_grad(r)
    return "error" if v is None else f"{v:.4f}"


if __name__ == "__main__":
    main()
