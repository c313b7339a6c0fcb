"""``stochos.summary``: ArviZ's az.summary table, computed by the engine's diagnostics (the same
code as the CLI's table: rank-normalised R-hat, bulk and tail ESS, MCSE, the HDI)."""

import itertools

import numpy as np
import pandas as pd

from . import _core

_COLUMNS = ["mean", "sd", "hdi_low", "hdi_high", "mcse_mean", "mcse_sd", "ess_bulk", "ess_tail",
            "r_hat"]


def _labels(da, name):
    """ArviZ's row names: theta[Choate], theta[0], Sigma[0, 1]; coords' labels where they exist."""
    dims = [d for d in da.dims if d not in ("chain", "draw")]
    if not dims:
        return [((), name)]
    axes = [list(da.coords[d].values) if d in da.coords else list(range(da.sizes[d])) for d in dims]
    out = []
    for idx in itertools.product(*[range(len(a)) for a in axes]):
        label = ", ".join(str(axes[k][i]) for k, i in enumerate(idx))
        out.append((idx, f"{name}[{label}]"))
    return out


def summary(data, var_names=None, *, hdi_prob=0.94, kind="all", round_to=None, group="posterior"):
    """A pandas DataFrame with az.summary's columns (mean, sd, hdi_3%, hdi_97%, mcse_mean,
    mcse_sd, ess_bulk, ess_tail, r_hat), one row per scalar of each variable."""
    ds = data[group] if not hasattr(data, "data_vars") else data
    if hasattr(ds, "to_dataset") and not hasattr(ds, "data_vars"):
        ds = ds.to_dataset()
    names = list(ds.data_vars) if var_names is None else (
        [var_names] if isinstance(var_names, str) else list(var_names))
    rows, columns = [], []
    for name in names:
        if name not in ds:
            raise KeyError(f"summary: no variable '{name}' in the {group} group")
        da = ds[name]
        values = np.asarray(da.values, dtype=float)
        for idx, label in _labels(da, name):
            rows.append(label)
            columns.append(np.ascontiguousarray(values[(slice(None), slice(None)) + idx]))
    table = _core.summarize(rows, columns, float(hdi_prob))
    df = pd.DataFrame([r[1:] for r in table], index=rows, columns=_COLUMNS)
    lo, hi = f"hdi_{100 * (1 - hdi_prob) / 2:g}%", f"hdi_{100 * (1 + hdi_prob) / 2:g}%"
    df = df.rename(columns={"hdi_low": lo, "hdi_high": hi})
    if kind == "stats":
        df = df[["mean", "sd", lo, hi]]
    elif kind == "diagnostics":
        df = df[["mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat"]]
    if round_to is not None and round_to != "none":
        df = df.round(int(round_to))
    return df
