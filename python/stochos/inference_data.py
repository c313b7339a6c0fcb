"""Sampling results as labelled xarray data, in the layout ArviZ reads.

Schemas followed:

* ArviZ 0.x InferenceData schema
  (https://python.arviz.org/en/stable/schema/schema.html): one xarray.Dataset per
  group (posterior, sample_stats, observed_data, ...); sampled groups have the leading
  dims ``chain`` and ``draw`` with integer coords 0..n-1; undeclared dims are named
  ``f"{var}_dim_{i}"`` with integer coords; sample statistics use ArviZ's names
  (``lp``, ``acceptance_rate``, ``step_size``, ``tree_depth``, ``n_steps``,
  ``diverging``, ``energy``); on disk, one NetCDF4 group per InferenceData group.
* ArviZ 1.x / xarray DataTree: the same Datasets, one child node per group
  (``xarray.DataTree.from_dict({"posterior": ds, ...})``).

``to_inference_data`` returns whichever of these is installed (DataTree, then
arviz.InferenceData, then this module's ``InferenceData``, a small stand-in with the
surface ArviZ 0.x users touch). Imports numpy, xarray and the standard library;
netCDF4 only when reading a file (writing goes through xarray's netcdf4 engine).
"""

import datetime
import html
import importlib
import os
from collections.abc import Mapping

import numpy as np
import xarray as xr

__all__ = [
    "DEFAULT_GROUP_ORDER",
    "InferenceData",
    "from_netcdf",
    "stats_name",
    "to_inference_data",
]

# ArviZ 0.x's SUPPORTED_GROUPS followed by its warmup groups: the order groups() lists.
DEFAULT_GROUP_ORDER = (
    "posterior",
    "posterior_predictive",
    "predictions",
    "log_likelihood",
    "sample_stats",
    "prior",
    "prior_predictive",
    "sample_stats_prior",
    "observed_data",
    "constant_data",
    "predictions_constant_data",
    "warmup_posterior",
    "warmup_posterior_predictive",
    "warmup_predictions",
    "warmup_sample_stats",
    "warmup_log_likelihood",
)

# Groups of data rather than draws: no chain/draw dims. Every other group is sampled.
UNSAMPLED_GROUPS = frozenset({"observed_data", "constant_data", "predictions_constant_data"})

# Groups whose variable names are sampler statistics, renamed with stats_name().
SAMPLE_STATS_GROUPS = frozenset({"sample_stats", "sample_stats_prior", "warmup_sample_stats"})

SAMPLE_DIMS = ("chain", "draw")

# CmdStan's columns whose ArviZ name is not just the column without "__".
_STAT_RENAMES = {
    "lp__": "lp",
    "accept_stat__": "acceptance_rate",
    "stepsize__": "step_size",
    "treedepth__": "tree_depth",
    "n_leapfrog__": "n_steps",
    "divergent__": "diverging",
    "energy__": "energy",
}

# CSV-derived stats arrive as floats; ArviZ and PyMC store these as flags and counts.
_STAT_DTYPES = {
    "diverging": np.bool_,
    "tune": np.bool_,
    "tree_depth": np.int64,
    "n_steps": np.int64,
}

_PREFERENCES = ("stochos", "datatree", "arviz")


def stats_name(name):
    """ArviZ's name for a CmdStan/Stochos/PyMC sampler-statistic column.

    ``lp__`` -> ``lp``, ``treedepth__`` -> ``tree_depth`` and the like; any other name
    ending in ``__`` loses that suffix (``accept__`` -> ``accept``); the rest are kept.
    """
    if name in _STAT_RENAMES:
        return _STAT_RENAMES[name]
    if name.endswith("__") and len(name) > 2:
        return name[:-2]
    return name


def _ordered(names):
    """Group names in DEFAULT_GROUP_ORDER, then the non-standard ones as given."""
    names = list(names)
    known = [g for g in DEFAULT_GROUP_ORDER if g in names]
    return known + [g for g in names if g not in DEFAULT_GROUP_ORDER]


def _base_attrs(attrs=None):
    out = {
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "inference_library": "stochos",
        "inference_library_version": "unknown",
    }
    out.update(attrs or {})
    return out


def _stat_values(name, column, array):
    """Cast a sampler statistic to its schema dtype, refusing values that would change."""
    dtype = _STAT_DTYPES.get(name)
    if dtype is None or array.dtype == dtype:
        return array
    if dtype is np.bool_:
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"sample stat {column!r} ({name}): values other than 0/1 cannot be stored as bool")
        return array.astype(bool)
    if array.dtype.kind == "f" and not (np.isfinite(array).all() and (array == np.round(array)).all()):
        raise ValueError(f"sample stat {column!r} ({name}): non-integer values cannot be stored as int64")
    return array.astype(np.int64)


def _declared_dims(dims, name, column):
    """The dims the caller declared for a variable (by output or input name), as a list."""
    declared = None
    if dims:
        declared = dims.get(name, dims.get(column))
    if declared is None:
        return []
    if isinstance(declared, str):  # dims={"theta": "school"} means one dim, not six
        return [declared]
    return list(declared)


def _variable_dims(group, name, column, shape, dims, sampled):
    """Full dim names for one variable: chain, draw (if sampled), then declared/default ones."""
    if sampled and len(shape) < 2:
        missing = SAMPLE_DIMS[len(shape)]
        raise ValueError(
            f"group {group!r}: variable {name!r} has shape {shape}, expected (chain, draw, ...); dim {missing!r} is missing"
        )
    event_shape = shape[2:] if sampled else shape
    declared = _declared_dims(dims, name, column)
    if len(declared) > len(event_shape):
        extra = declared[len(event_shape)]
        raise ValueError(
            f"group {group!r}: variable {name!r} has {len(declared)} dims {declared}, but shape {shape} has "
            f"{len(event_shape)} axes{' after chain, draw' if sampled else ''}; dim {extra!r} has no axis"
        )
    event_dims = [
        declared[i] if i < len(declared) and declared[i] is not None else f"{name}_dim_{i}"
        for i in range(len(event_shape))
    ]
    for i, dim in enumerate(event_dims):
        if sampled and dim in SAMPLE_DIMS:
            raise ValueError(f"group {group!r}: variable {name!r}: dim {dim!r} is implied; declare only the dims after chain, draw")
        if dim in event_dims[:i]:
            raise ValueError(f"group {group!r}: variable {name!r}: dim {dim!r} appears twice")
    return (list(SAMPLE_DIMS) if sampled else []) + event_dims


def _record_size(sizes, group, name, dim, length, coords):
    """Check one axis against the other variables of the group and against coords."""
    if dim in sizes and sizes[dim][0] != length:
        other_length, other = sizes[dim]
        raise ValueError(
            f"group {group!r}: variable {name!r} has length {length} along dim {dim!r}, "
            f"but variable {other!r} has {other_length}"
        )
    if coords and dim in coords and len(coords[dim]) != length:
        raise ValueError(
            f"group {group!r}: variable {name!r}: coords for dim {dim!r} have {len(coords[dim])} "
            f"labels, but the dim has length {length}"
        )
    sizes.setdefault(dim, (length, name))


def _coord_labels(dim, length, coords):
    if coords and dim in coords:
        labels = np.asarray(coords[dim])
        if labels.ndim != 1:
            raise ValueError(f"coords for dim {dim!r} must be one-dimensional, got shape {labels.shape}")
        return labels
    return np.arange(length)


def _group_dataset(group, variables, coords=None, dims=None, attrs=None):
    """One group's {name: array} as an xarray.Dataset with schema dims, coords and attrs."""
    if isinstance(variables, xr.Dataset):
        return variables
    if not isinstance(variables, Mapping):
        raise TypeError(f"group {group!r}: expected a dict of arrays or an xarray.Dataset, got {type(variables).__name__}")
    sampled = group not in UNSAMPLED_GROUPS
    stats = group in SAMPLE_STATS_GROUPS
    data_vars, sources, sizes = {}, {}, {}
    for column, values in variables.items():
        name = stats_name(column) if stats else column
        if name in data_vars:
            raise ValueError(f"group {group!r}: columns {sources[name]!r} and {column!r} are both variable {name!r}")
        array = np.asarray(values)
        if stats:
            array = _stat_values(name, column, array)
        var_dims = _variable_dims(group, name, column, array.shape, dims, sampled)
        for dim, length in zip(var_dims, array.shape):
            _record_size(sizes, group, name, dim, length, coords)
        data_vars[name], sources[name] = (var_dims, array), column
    ds_coords = {dim: _coord_labels(dim, length, coords) for dim, (length, _) in sizes.items()}
    return xr.Dataset(data_vars, coords=ds_coords, attrs=dict(attrs if attrs is not None else _base_attrs()))


def _datasets(groups, coords, dims, attrs):
    """All groups as Datasets in canonical order; empty groups are dropped, as ArviZ does."""
    shared_attrs = _base_attrs(attrs)  # one timestamp for the whole result
    out = {}
    for group in _ordered(groups):
        ds = _group_dataset(group, groups[group], coords, dims, shared_attrs)
        if ds.data_vars:
            out[group] = ds
    return out


def _import_arviz():
    try:
        return importlib.import_module("arviz")
    except ImportError:
        return None


def _to_datatree(datasets):
    if not hasattr(xr, "DataTree"):
        raise ImportError(
            f"prefer='datatree' needs xarray.DataTree (xarray >= 2024.10); the installed xarray "
            f"{xr.__version__} has none"
        )
    return xr.DataTree.from_dict(dict(datasets))


def _to_arviz(datasets):
    az = _import_arviz()
    if az is None:
        raise ImportError("prefer='arviz' needs ArviZ, which is not installed (pip install arviz)")
    if not hasattr(az, "InferenceData"):  # ArviZ 1.x works on xarray.DataTree directly
        return _to_datatree(datasets)
    return az.InferenceData(**datasets)


def to_inference_data(groups, coords=None, dims=None, attrs=None, prefer=None):
    """Label sampled arrays with the InferenceData schema.

    groups: ``{group_name: {var_name: array}}`` (a value may also be an xarray.Dataset,
    used as given). Sampled groups hold arrays shaped ``(chain, draw, *shape)``;
    observed_data, constant_data and predictions_constant_data hold ``(*shape)``.
    Variables of sample_stats groups are renamed with :func:`stats_name`; ``diverging``
    becomes bool, ``tree_depth`` and ``n_steps`` int64.
    coords: ``{dim: labels}``; dims: ``{var_name: [dim names of *shape]}``, possibly
    partial: axes without a (non-None) name get ``f"{var}_dim_{i}"``; dims without
    coords get 0..n-1. chain and draw coords are 0..n-1 unless given.
    attrs: added to every Dataset's attrs, after created_at (ISO 8601, UTC),
    inference_library="stochos" and inference_library_version ("unknown" unless given).

    Returns an xarray.DataTree when xarray has one, else arviz.InferenceData when ArviZ
    imports, else :class:`InferenceData`. ``prefer`` ("datatree", "arviz", "stochos")
    forces one and raises ImportError when it is not installed.
    Raises ValueError naming the variable and dim when shapes, dims and coords disagree.
    """
    if prefer is not None and prefer not in _PREFERENCES:
        raise ValueError(f"prefer must be None or one of {_PREFERENCES}, got {prefer!r}")
    if not isinstance(groups, Mapping):
        raise TypeError(f"groups must be a dict of groups, got {type(groups).__name__}")
    datasets = _datasets(groups, coords, dims, attrs)
    if prefer is None:
        if hasattr(xr, "DataTree"):
            prefer = "datatree"
        elif _import_arviz() is not None:
            prefer = "arviz"
        else:
            prefer = "stochos"
    if prefer == "datatree":
        return _to_datatree(datasets)
    if prefer == "arviz":
        return _to_arviz(datasets)
    return InferenceData(**datasets)


def _without_encoding(ds):
    """A shallow copy whose variables forget how the file they were read from stored them,
    so that ``compress`` alone decides compression and no stale chunking or dtype is reused."""
    out = ds.copy(deep=False)
    for variable in out.variables.values():
        variable.encoding = {}
    out.encoding = {}
    return out


class InferenceData:
    """Groups of xarray.Datasets, with the surface of ArviZ 0.x's InferenceData.

    Used when neither xarray.DataTree nor ArviZ is installed. Groups are attributes
    (``idata.posterior``) and items (``idata["posterior"]``); ``groups()`` lists them in
    DEFAULT_GROUP_ORDER. Files written by ``to_netcdf`` have ArviZ's layout, so
    ``arviz.from_netcdf`` and ``xarray.open_datatree`` read them.
    """

    def __init__(self, /, **groups):  # positional-only: a group may be named 'self'
        self._groups = {}
        for name, ds in groups.items():
            self._set_group(name, ds)

    def _set_group(self, name, ds):
        if ds is None:
            return
        if not isinstance(ds, xr.Dataset):
            raise TypeError(f"group {name!r} must be an xarray.Dataset, got {type(ds).__name__}")
        if ds.data_vars:  # ArviZ leaves empty groups out
            self._groups[name] = ds
            self._groups = {g: self._groups[g] for g in _ordered(self._groups)}

    def groups(self):
        """Group names in ArviZ's order (DEFAULT_GROUP_ORDER, then any others)."""
        return list(self._groups)

    def values(self):
        return list(self._groups.values())

    def items(self):
        return list(self._groups.items())

    def __getattr__(self, name):
        # Only reached when normal lookup fails; read _groups via __dict__ so that
        # copy/pickle (which probe attributes before __init__ ran) do not recurse.
        groups = self.__dict__.get("_groups", {})
        if name in groups:
            return groups[name]
        raise AttributeError(f"InferenceData has no group or attribute {name!r}")

    def __dir__(self):
        return list(super().__dir__()) + self.groups()

    def __getitem__(self, name):
        try:
            return self._groups[name]
        except KeyError:
            raise KeyError(f"no group {name!r}; groups are {self.groups()}") from None

    def __contains__(self, name):
        return name in self._groups

    def __iter__(self):
        return iter(self.groups())

    def __len__(self):
        return len(self._groups)

    def __repr__(self):
        lines = ["InferenceData with groups:"]
        for name, ds in self._groups.items():
            sizes = ", ".join(f"{dim}: {n}" for dim, n in ds.sizes.items())
            names = list(ds.data_vars)
            shown = ", ".join(names[:6]) + (f", ... ({len(names)} variables)" if len(names) > 6 else "")
            lines.append(f"    > {name} ({sizes}): {shown}")
        if not self._groups:
            lines.append("    (none)")
        return "\n".join(lines)

    def _repr_html_(self):
        parts = [f"<div><p>InferenceData with groups: {html.escape(', '.join(self.groups()))}</p>"]
        for name, ds in self._groups.items():
            parts.append(f"<details><summary>{html.escape(name)}</summary>{ds._repr_html_()}</details>")
        parts.append("</div>")
        return "".join(parts)

    def add_groups(self, group_dict=None, coords=None, dims=None, **kwargs):
        """Add new groups given as Datasets or as ``{var_name: array}`` dicts.

        Dicts are labelled as in :func:`to_inference_data` (chain/draw first unless the
        group is observed/constant data). A group that exists already is an error.
        """
        new = dict(group_dict or {}, **kwargs)
        for name in new:
            if name in self._groups:
                raise ValueError(f"group {name!r} already exists")
        version = next(
            (ds.attrs["inference_library_version"] for ds in self._groups.values() if "inference_library_version" in ds.attrs),
            None,
        )
        attrs = _base_attrs({"inference_library_version": version} if version else None)
        for name, value in new.items():
            self._set_group(name, _group_dataset(name, value, coords, dims, attrs))

    def extend(self, other, join="left"):
        """Add the groups of ``other`` that this object lacks (join="left"), or take
        all of other's groups, replacing same-named ones (join="right"). In place."""
        if not isinstance(other, InferenceData):
            raise TypeError(f"extend needs an InferenceData, got {type(other).__name__}")
        if join not in ("left", "right"):
            raise ValueError(f"join must be 'left' or 'right', got {join!r}")
        for name, ds in other.items():
            if name in self._groups and join == "left":
                continue
            self._set_group(name, ds)

    def to_netcdf(self, filename, compress=True, groups=None):
        """Write one NetCDF4 group per group (ArviZ's layout); returns ``filename``.

        compress: zlib-compress numeric variables. groups: write only these.
        """
        names = self.groups()
        if groups is not None:
            unknown = [g for g in groups if g not in self._groups]
            if unknown:
                raise ValueError(f"no group(s) {unknown} to write; groups are {names}")
            names = [g for g in names if g in groups]
        path = os.fspath(filename)
        if not names:  # ArviZ writes an empty file for an empty InferenceData
            xr.Dataset().to_netcdf(path, mode="w", engine="netcdf4")
            return filename
        mode = "w"  # the first group replaces any old file, the others are appended
        for name in names:
            ds = _without_encoding(self._groups[name])
            encoding = None
            if compress:
                encoding = {k: {"zlib": True} for k, v in ds.variables.items() if v.dtype.kind in "biuf"}
            ds.to_netcdf(path, mode=mode, group=name, engine="netcdf4", encoding=encoding)
            mode = "a"
        return filename

    @classmethod
    def from_netcdf(cls, filename):
        """Read a file with one NetCDF4 group per group (as written by ``to_netcdf``,
        ArviZ or DataTree) fully into memory, closing the file before returning."""
        import netCDF4  # only needed here, to list the groups

        path = os.fspath(filename)
        with netCDF4.Dataset(path, mode="r") as root:
            names = list(root.groups)
        datasets = {}
        for name in names:
            with xr.open_dataset(path, group=name, engine="netcdf4") as ds:
                datasets[name] = ds.load()
        return cls(**datasets)


def from_netcdf(filename):
    """Read an InferenceData NetCDF file into this module's :class:`InferenceData`."""
    return InferenceData.from_netcdf(filename)
