"""Every distribution of the engine as PyMC's class: ``Normal("mu", mu=0, sigma=5, dims=...)``
makes a model variable, ``Normal.dist(0, 1)`` a distribution for another's argument. The classes
are made from the engine's families, so their parameters, alternatives and checks are the
language's and the C++ API's (SPEC.md §4)."""

import sys

from . import _core
from .model import DistSpec, modelcontext

_UNSET = object()


class Distribution:
    """The base of every distribution class; ``family`` names the engine's family."""

    family = None

    def __new__(cls, name, *args, dims=None, shape=None, size=None, observed=None,
                transform=_UNSET, default_transform=_UNSET, initval=None, total_size=None,
                model=None, **kwargs):
        if not isinstance(name, str):
            raise TypeError(f"{cls.__name__}: the first argument is the variable's name, a string "
                            f"(got {type(name).__name__}); for a distribution without a name use "
                            f"{cls.__name__}.dist(...)")
        if total_size is not None:
            raise ValueError(f"{cls.__name__} '{name}': total_size= (minibatches) is not supported")
        model = modelcontext(model)
        spec = DistSpec(cls.family, args, kwargs)
        if shape is None:
            shape = size
        node = model._add_variable(name, spec, dims=dims, shape=shape, observed=observed,
                                   transform=_transform_name(transform, default_transform))
        if initval is not None:
            if observed is not None:
                raise ValueError(f"observed variable '{name}' takes no initval")
            model._initvals[name] = initval
            model._pack_constrained(model._initvals)  # a value outside the support fails here
        return node

    @classmethod
    def dist(cls, *args, shape=None, size=None, **kwargs):
        return DistSpec(cls.family, args, kwargs)


def _transform_name(transform, default_transform):
    t = transform if transform is not _UNSET else default_transform
    if t is _UNSET:
        return None
    if t is None:
        return "none"
    if isinstance(t, str):
        return t
    name = getattr(t, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"transform= takes a transform of stochos.distributions.transforms or "
                        f"its name, not {t!r}")
    return name


class _Transform:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"transforms.{self.name}"


class transforms:
    """PyMC's transform objects, by the engine's names."""

    log = _Transform("log")
    logodds = _Transform("logodds")
    interval = _Transform("interval")
    simplex = _Transform("simplex")
    ordered = _Transform("ordered")
    Interval = interval


_FAMILIES = _core.families()
__all__ = ["Distribution", "transforms"]
_module = sys.modules[__name__]
for _f in _FAMILIES:
    _cls = type(_f["name"], (Distribution,), {
        "family": _f["name"],
        "__module__": __name__,
        "__doc__": (f"PyMC's {_f['name']}({', '.join(_f['positional'])}); keywords: "
                    f"{', '.join(_f['keywords'])}."),
    })
    setattr(_module, _f["name"], _cls)
    __all__.append(_f["name"])


class LKJCholeskyCov(Distribution):  # noqa: F811 (PyMC's compute_corr on top of the family)
    """PyMC's LKJCholeskyCov: with compute_corr=True (PyMC's default) it returns the Cholesky
    factor as a matrix, the correlation matrix and the standard deviations, and records the last
    two as the deterministics NAME_corr and NAME_stds; with compute_corr=False, the packed factor."""

    family = "LKJCholeskyCov"

    def __new__(cls, name, *args, compute_corr=True, store_in_trace=True, **kwargs):
        packed = Distribution.__new__(cls, name, *args, **kwargs)
        if not compute_corr:
            return packed
        from . import math
        from .model import Deterministic

        size = packed.shape[-1]
        n = int(round(((8 * size + 1) ** 0.5 - 1) / 2))
        chol = math.expand_packed_triangular(n, packed)
        cov = chol @ chol.T
        stds = math.sqrt(math.diag_part(cov))
        corr = cov / (stds[:, None] * stds[None, :])
        if store_in_trace:
            Deterministic(f"{name}_corr", corr)
            Deterministic(f"{name}_stds", stds)
        return chol, corr, stds
