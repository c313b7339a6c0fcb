"""``stochos.math``: the functions of the model language (SPEC.md §1.1) with PyMC's names.

Each calls the same engine function a ``.stoch`` file calls, so both give the same graph.
"""

import numpy as np

from . import _core
from .model import Model
from .tensor import TensorVariable, _innermost, _op_call, _reduce, as_tensor

_SPECS = _core.function_specs()


def _model_of(args):
    items = [b for a in args for b in (a if isinstance(a, (list, tuple)) else (a,))]
    return _innermost(None, *items) or Model.get_context()


def _function(name):
    lo, hi, tensors, takes_list = _SPECS[name]

    def f(*args, axis=None, lower=True):
        if not lower:
            raise ValueError(f"{name}(): only lower=True (the lower triangle) is supported")
        if axis is not None:
            args = args + (axis,)
        if not lo <= len(args) <= hi:
            raise TypeError(f"{name}() takes {lo if lo == hi else f'{lo} to {hi}'} arguments, "
                            f"{len(args)} given")
        model = _model_of(args)
        if takes_list:
            values = [as_tensor(a, model) for a in args[0]]
            ints = [int(a) for a in args[1:]]
        else:
            values = [a if isinstance(a, TensorVariable) else as_tensor(a, model)
                      for a in args[:tensors]]
            ints = [int(a) for a in args[tensors:]]
        return TensorVariable(model, _op_call, (name, tuple(values), tuple(ints)))

    f.__name__ = name
    f.__doc__ = f"The language's {name}()."
    return f


for _name in _SPECS:
    if _name not in ("sum", "mean", "prod", "max", "min", "logsumexp", "cumsum"):
        globals()[_name] = _function(_name)


def _reduction(op):
    def f(x, axis=None, keepdims=False):
        return _reduce(op, as_tensor(x), axis, keepdims)

    f.__name__ = op
    return f


sum = _reduction("sum")  # noqa: A001 (NumPy's names)
mean = _reduction("mean")
prod = _reduction("prod")
max = _reduction("max")  # noqa: A001
min = _reduction("min")  # noqa: A001
logsumexp = _reduction("logsumexp")


def cumsum(x, axis=0):
    return _function("cumsum")(x, axis)


# PyMC's (and PyTensor's) other names for the same functions.
invlogit = globals()["inv_logit"]
log1pexp = globals()["softplus"]
gammaln = globals()["lgamma"]
sqr = globals()["square"]
concatenate = globals()["concat"]


def matmul(a, b):
    return as_tensor(a) @ b


def dot(a, b):
    """NumPy's (and PyTensor's) dot: the matrix product for matrices and vectors."""
    return as_tensor(a) @ b


def eq(a, b):
    return as_tensor(a) == b


def neq(a, b):
    return as_tensor(a) != b


def lt(a, b):
    return as_tensor(a) < b


def le(a, b):
    return as_tensor(a) <= b


def gt(a, b):
    return as_tensor(a) > b


def ge(a, b):
    return as_tensor(a) >= b


def and_(a, b):
    return as_tensor(a) & b


def or_(a, b):
    return as_tensor(a) | b


def zeros_like(x):
    return as_tensor(x) * 0


def ones_like(x):
    return as_tensor(x) * 0 + 1


def flatten(x):
    return as_tensor(x).flatten()


def constant(value):
    return as_tensor(np.asarray(value))
