"""Tensors with NumPy's operators and indexing (PyMC's TensorVariable).

Every tensor is a node of its model's expression: an operation and its arguments. The node is
evaluated into the model's compiled graph at once, so that a shape error is raised on the line
that makes it, and again whenever the model is rebuilt (``set_data`` with data of a new shape
replays every statement; see ``model.py``).
"""

import numbers

import numpy as np

from . import _core


class ShapeOf(tuple):
    """``x.shape`` of a tensor: a tuple that remembers its tensor, so that a statement given
    ``shape=x.shape`` reads it again when the model is replayed (Note [replayed models])."""

    def __new__(cls, node):
        s = super().__new__(cls, node._t.shape)
        s.node = node
        return s


class TensorVariable:
    """A value in a model: a random variable, data, or an expression of them."""

    # NumPy defers to our reflected operators (array + tensor is tensor.__radd__).
    __array_priority__ = 1000
    __array_ufunc__ = None

    def __init__(self, model, op, args=(), name=None):
        self.model = model
        self.name = name
        self._op = op
        self._args = args
        self._built = None
        self._build = -1
        model._realize(self)

    # --- what the node is ---
    @property
    def _t(self):
        return self.model._realize(self)

    @property
    def shape(self):
        return ShapeOf(self)

    @property
    def ndim(self):
        return self._t.ndim

    @property
    def dtype(self):
        return self._t.dtype

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a scalar tensor")
        return self.shape[0]

    def __repr__(self):
        label = self.name or "TensorVariable"
        return f"{label}{{shape={self.shape}, dtype={self.dtype}}}"

    def __bool__(self):
        raise TypeError(
            "a model tensor has no truth value while the model is built; use stochos.math.switch "
            "(or where) for a choice that depends on it")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def eval(self):
        """The value of an expression of constants and data (as PyTensor's eval); an error for
        anything that depends on a random variable."""
        if getattr(self.model, "_is_step", False):
            raise ValueError("a value of a scan step function has no value of its own")
        v = self.model._core.evaluate_tensor(self._t)
        if v is None:
            raise ValueError(f"{self!r} depends on random variables; it has no fixed value")
        return v.astype(self.dtype) if self.dtype != "float32" else v.astype(np.float32)

    # --- operators ---
    def _binary(self, op, other, reflected=False):
        a, b = (other, self) if reflected else (self, other)
        return TensorVariable(_innermost(self.model, other), _op_binary, (op, a, b))

    def __add__(self, o): return self._binary("add", o)
    def __radd__(self, o): return self._binary("add", o, True)
    def __sub__(self, o): return self._binary("sub", o)
    def __rsub__(self, o): return self._binary("sub", o, True)
    def __mul__(self, o): return self._binary("mul", o)
    def __rmul__(self, o): return self._binary("mul", o, True)
    def __truediv__(self, o): return self._binary("truediv", o)
    def __rtruediv__(self, o): return self._binary("truediv", o, True)
    def __pow__(self, o): return self._binary("pow", o)
    def __rpow__(self, o): return self._binary("pow", o, True)
    def __matmul__(self, o): return self._binary("matmul", o)
    def __rmatmul__(self, o): return self._binary("matmul", o, True)
    def __lt__(self, o): return self._binary("lt", o)
    def __le__(self, o): return self._binary("le", o)
    def __gt__(self, o): return self._binary("gt", o)
    def __ge__(self, o): return self._binary("ge", o)
    def __and__(self, o): return self._binary("and", o)
    def __rand__(self, o): return self._binary("and", o, True)
    def __or__(self, o): return self._binary("or", o)
    def __ror__(self, o): return self._binary("or", o, True)
    # Equality builds an expression, as in PyTensor; tensors stay hashable by identity.
    def __eq__(self, o): return self._binary("eq", o)
    def __ne__(self, o): return self._binary("ne", o)
    __hash__ = object.__hash__

    def __neg__(self): return TensorVariable(self.model, _op_unary, ("neg", self))
    def __pos__(self): return self
    def __abs__(self): return TensorVariable(self.model, _op_unary, ("abs", self))
    def __invert__(self): return TensorVariable(self.model, _op_unary, ("not", self))

    def __getitem__(self, key):
        key = _normalise_key(key, self.ndim)
        model = _innermost(self.model, *(k[1] for k in key if k[0] == "array"))
        return TensorVariable(model, _op_getitem, (self, key))

    # --- NumPy's methods ---
    # NumPy's functions (np.sum(x)) call these with dtype= and out= as well, which must be None.
    def sum(self, axis=None, keepdims=False, **kw): return _reduce("sum", self, axis, keepdims, kw)
    def mean(self, axis=None, keepdims=False, **kw): return _reduce("mean", self, axis, keepdims, kw)
    def prod(self, axis=None, keepdims=False, **kw): return _reduce("prod", self, axis, keepdims, kw)
    def max(self, axis=None, keepdims=False, **kw): return _reduce("max", self, axis, keepdims, kw)
    def min(self, axis=None, keepdims=False, **kw): return _reduce("min", self, axis, keepdims, kw)

    def reshape(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return TensorVariable(self.model, _op_reshape, (self, tuple(int(s) for s in shape)))

    def flatten(self):
        return self.reshape(-1)

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
            axes = tuple(axes[0])
        return TensorVariable(self.model, _op_transpose, (self, tuple(axes) or None))

    @property
    def T(self):
        return self.transpose()

    def dot(self, other):
        return self @ other

    def astype(self, dtype):
        return TensorVariable(self.model, _op_cast, (self, np.dtype(dtype).name))


# --- operations: (core model, realized arguments...) -> core tensor ---

def _op_binary(core, op, a, b):
    if not isinstance(a, _core.Tensor) and not isinstance(b, _core.Tensor):
        a = _core.as_tensor(core, a)
    return _core.binary(op, a, b)


def _op_unary(core, op, x):
    return _core.unary(op, x)


def _op_getitem(core, x, key):
    # In a scan step, x may be a tensor of the model around it, captured into the step's graph.
    return _core.getitem(_core.as_tensor(core, x), key)


def _op_reshape(core, x, shape):
    return _core.reshape(x, list(shape))


def _op_transpose(core, x, axes):
    return _core.transpose(x, None if axes is None else list(axes))


def _op_cast(core, x, dtype):
    return _core.cast(x, dtype)


def _op_reduce(core, op, x, axis, keepdims):
    return _core.reduce(op, x, axis, keepdims)


def _op_call(core, name, args, ints):
    return _core.call(core, name, list(args), list(ints))


def _op_constant(core, value):
    return _core.as_tensor(core, value)


def _reduce(op, x, axis, keepdims, extra=None):
    for k, v in (extra or {}).items():
        if v is not None:
            raise TypeError(f"{op}(): {k}= is not supported on a model tensor")
    if isinstance(axis, (tuple, list)):
        # Several axes: one at a time, the highest first so that the others keep their place.
        for a in sorted((a % x.ndim for a in axis), reverse=True):
            x = _reduce(op, x, a, keepdims)
        return x
    return TensorVariable(x.model, _op_reduce, (op, x, None if axis is None else int(axis), keepdims))


def _normalise_key(key, ndim):
    """A NumPy index as the engine's items, one per axis it touches (Ellipsis expanded)."""
    if not isinstance(key, tuple):
        key = (key,)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    items = []
    for k in key:
        if k is Ellipsis:
            items.extend([("slice", None, None, None)] * max(ndim - used, 0))
        elif k is None:
            items.append(("newaxis",))
        elif isinstance(k, slice):
            items.append(("slice", _int_or_none(k.start), _int_or_none(k.stop), _int_or_none(k.step)))
        elif isinstance(k, (bool, np.bool_)):
            raise IndexError("a boolean scalar is not an index")
        elif isinstance(k, numbers.Integral):
            items.append(("int", int(k)))
        elif isinstance(k, TensorVariable):
            items.append(("array", k))
        else:
            a = np.asarray(k)
            if a.dtype == bool:
                a = np.flatnonzero(a)
            if a.dtype.kind not in "iu":
                raise IndexError(f"only integers, slices, None, Ellipsis and integer arrays are "
                                 f"valid indices, not an array of {a.dtype}")
            items.append(("array", a.astype(np.int64)))
    return tuple(items)


def _int_or_none(v):
    return None if v is None else int(v)


def as_tensor(value, model=None):
    """A tensor of the model for a number or an array (a tensor is returned as it is)."""
    if isinstance(value, TensorVariable):
        return value
    from .model import Model

    if isinstance(value, (list, tuple)) and any(isinstance(v, TensorVariable) for v in value):
        # [a, 1 - a]: the language's list of values, stacked.
        model = _innermost(model, *value)
        items = tuple(as_tensor(v, model) for v in value)
        return TensorVariable(model, _op_call, ("stack", items, ()))
    return TensorVariable(model or Model.get_context(), _op_constant, (np.asarray(value),))


def _innermost(model, *values):
    """The innermost of `model` and the models of the tensors among `values`: a scan step's
    tensors (loops.py) are inside the model, which their expressions may mix with them."""
    for v in values:
        if isinstance(v, TensorVariable) and (model is None or v.model._depth > model._depth):
            model = v.model
    return model
