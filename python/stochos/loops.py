"""PyTensor's ``scan`` (``pm.scan``): a step function applied along sequences, with carried state.

The step function is traced into the body of the graph's scan op (Note [scan] in graph/scan.hpp)
each time the scan is evaluated into its model, so a replayed model (Note [replayed models]) traces
it again. While it is traced its arguments are TensorVariables of a _StepScope, which realises
them into the body's own graph (Note [python scan] in python/src/bind_scan.cpp); tensors of the
model used in the step function directly are captured into the body, as non_sequences would be.

Taps are slices: a sequence read at t-1 and t is two sequences, x[:-1] and x[1:], and an output
fed back at t-1 and t-2 is two carries, the older passed on each step (Note [scan]: "Lags are the
caller's").
"""

import numbers

from . import _core
from .model import Model
from .tensor import TensorVariable, _innermost, as_tensor

_tracing = []  # the step scopes being traced, innermost last (a scan inside a step function)


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         truncate_gradient=-1, go_backwards=False, mode=None, name=None, profile=False,
         allow_gc=None, strict=False, return_list=False):
    """PyTensor's scan: ``outputs, updates = scan(fn, sequences, outputs_info, non_sequences)``.

    ``fn`` gets, in order, the rows of each sequence (one per tap), the previous values of each
    output whose outputs_info is not None (one per tap), then the non_sequences; it returns the
    new value of every output, in outputs_info's order. ``outputs`` stacks them along a leading
    axis of n_steps (one tensor, or a list for several); ``updates`` is an empty dict.
    ``mode``, ``name``, ``profile``, ``allow_gc`` and ``strict`` are accepted and ignored.
    """
    if not callable(fn):
        raise TypeError(f"scan: fn must be a function, not {type(fn).__name__}")
    if truncate_gradient != -1:
        raise ValueError("scan: truncate_gradient is not supported (the gradient is exact)")
    seqs, outs, nons = _as_list(sequences), _as_list(outputs_info), _as_list(non_sequences)
    seqs = [_sequence(i, s) for i, s in enumerate(seqs)]
    outs = [_output(i, o) for i, o in enumerate(outs)]
    given = [x for x, _ in seqs] + [x for x, _ in outs if x is not None] + nons
    model = _innermost(_tracing[-1] if _tracing else None, *given) or Model.get_context()
    if n_steps is not None:
        if isinstance(n_steps, TensorVariable) or not isinstance(n_steps, numbers.Integral):
            raise ValueError(f"scan: n_steps must be an integer, not {n_steps!r}")
        if n_steps < 0:
            raise ValueError("scan: a negative n_steps is not supported; use go_backwards=True")
        n_steps = int(n_steps)
    elif not seqs:
        raise ValueError("scan: give sequences or n_steps (the number of steps)")
    spec = _Spec(model, fn, [t for _, t in seqs], [t for _, t in outs], n_steps, go_backwards)
    node = TensorVariable(model, _op_scan, (
        spec, tuple(as_tensor(x, model) for x, _ in seqs),
        tuple(as_tensor(x, model) for x, t in outs if t is not None),
        tuple(as_tensor(x, model) for x in nons)))
    count = len(outs) if outs else len(node._built[1])
    results = [TensorVariable(model, _op_result, (spec, node, k)) for k in range(count)]
    return (results[0] if count == 1 and not return_list else results), {}


class _Spec:
    """A scan's step function and the layout of its arguments: taps by sequence, and by output
    (None for one not fed back)."""

    def __init__(self, model, fn, seq_taps, out_taps, n_steps, backwards):
        self.model, self.fn, self.n_steps, self.backwards = model, fn, n_steps, bool(backwards)
        self.seq_taps, self.out_taps = seq_taps, out_taps

    def carried(self):
        """(output index, taps, first carry) of each output fed back: -min(taps) carries each,
        its values at t-L .. t-1 (L = -min(taps)), oldest first."""
        first = 0
        for i, taps in enumerate(self.out_taps):
            if taps is not None:
                yield i, taps, first
                first += -min(taps)

    def trace(self, body, carries, rows, consts):
        scope = _StepScope(self.model, body)
        root = scope.root()
        _tracing.append(scope)
        root._in_step += 1
        try:
            with root:  # a replay (set_data) may trace outside the model's `with` block
                return self._step(scope, carries, rows, consts)
        finally:
            scope._open = False
            _tracing.pop()
            root._in_step -= 1

    def _step(self, scope, carries, rows, consts):
        def given(ts):
            return [TensorVariable(scope, _op_given, (t,)) for t in ts]

        slots = given(carries)
        args = given(rows)
        for _, taps, first in self.carried():
            args += [slots[first - min(taps) + k] for k in taps]
        args += given(consts)
        returned = _returned(self.fn(*args))
        if self.out_taps and len(returned) != len(self.out_taps):
            raise ValueError(f"scan: fn returned {len(returned)} value(s) but outputs_info has "
                             f"{len(self.out_taps)} entries; give one outputs_info entry per "
                             f"returned value (None for one that is not fed back)")
        values = [_in_body(scope, v) for v in returned]
        new, outputs = [], []
        carried = {i: (taps, first) for i, taps, first in self.carried()}
        for i, v in enumerate(values):
            if i not in carried:
                outputs.append(v)
                continue
            taps, first = carried[i]
            last = first - min(taps) - 1
            old = carries[last]
            if (v.dtype, v.shape) != (old.dtype, old.shape):
                raise ValueError(
                    f"scan: fn returns {_spec(v)} for outputs_info[{i}], whose initial value is "
                    f"{_spec(old)}; a fed-back output keeps its shape and dtype from step to step")
            new += carries[first + 1:last + 1] + [v]
        for i, v in enumerate(values):
            if v.dtype != values[0].dtype:
                raise ValueError(f"scan: fn's returned values need one dtype: value 0 is "
                                 f"{values[0].dtype} and value {i} is {v.dtype} (use .astype)")
        return new, outputs


class _StepScope:
    """The model of a step function's tensors while it is traced: they realise into the body's
    graph (`core`, a handle of _core's), and a tensor of the models around it is realised there
    and captured into the body by _core."""

    _is_step = True

    def __init__(self, outer, core):
        self.outer, self._core = outer, core
        self._build, self._depth, self._open = 0, outer._depth + 1, True
        self._floatx = outer._floatx

    def root(self):
        return self.outer.root() if isinstance(self.outer, _StepScope) else self.outer

    def _realize(self, node):
        if not self._open:
            raise ValueError("a value of a scan step function was used after the step returned; "
                             "return it from the step function and use scan's result")
        if node._build != self._build:
            node._built = node._op(self._core, *(self._realize_arg(a) for a in node._args))
            node._build = self._build
        return node._built

    def _realize_arg(self, a):
        if isinstance(a, TensorVariable):
            return a.model._realize(a)
        if isinstance(a, list):
            items = [self._realize_arg(x) for x in a]
            if any(isinstance(x, TensorVariable) for x in a):
                return _core.call(self._core, "stack", items, [])
            return items
        if isinstance(a, tuple):
            return tuple(self._realize_arg(x) for x in a)
        return a


# --- operations (tensor.py's convention: (core model, realized arguments...)) ---

def _op_given(core, t):
    return t


def _op_scan(core, spec, seqs, inits, consts):
    rows = []  # what the steps read: each sequence once per tap
    for i, (x, taps) in enumerate(zip(seqs, spec.seq_taps)):
        if x.ndim == 0:
            raise ValueError(f"scan: sequences[{i}] is a scalar; a sequence needs a leading axis "
                             f"to step along")
        lo, hi = min(*taps, 0), max(*taps, 0)
        if x.shape[0] <= hi - lo:
            raise ValueError(f"scan: sequences[{i}] has {x.shape[0]} rows; its taps {taps} need "
                             f"more than {hi - lo}")
        for k in taps:
            r = _slice(x, k - lo, (k - hi) or None)
            rows.append((i, _slice(r, None, None, -1) if spec.backwards else r))
    length = spec.n_steps
    if rows:
        steps = [r.shape[0] for _, r in rows]
        for (i, _), n in zip(rows, steps):
            if n != steps[0]:
                raise ValueError(
                    f"scan: the sequences give different numbers of steps: sequences[{rows[0][0]}] "
                    f"gives {steps[0]} and sequences[{i}] gives {n} (taps included); stochos.scan "
                    f"asks for equal lengths where PyTensor would use the shortest")
        if length is not None and length > steps[0]:
            raise ValueError(f"scan: n_steps={length} but the sequences give {steps[0]} steps")
        if length is not None:
            rows = [(i, _slice(r, None, length)) for i, r in rows]
        length = steps[0] if length is None else length
    carries = []
    for (i, taps, _), x in zip(spec.carried(), inits):
        if taps == [-1]:
            carries.append(x)
            continue
        n = -min(taps)
        if x.ndim == 0 or x.shape[0] < n:
            raise ValueError(f"scan: outputs_info[{i}] has taps {taps}, so its initial value needs "
                             f"a leading axis of {n} (the values at t-{n} .. t-1); it has shape "
                             f"{tuple(x.shape)}")
        carries += [_core.getitem(x, (("int", j),)) for j in range(n)]
    return _core.scan(core, spec.trace, carries, [r for _, r in rows], list(consts), length)


def _op_result(core, spec, built, k):
    """Output k of the scan, stacked: a fed-back output is its newest carry."""
    carries, outputs = built
    carried = {i: first - min(taps) - 1 for i, taps, first in spec.carried()}
    if k in carried:
        return carries[carried[k]]
    return outputs[k - sum(1 for i in carried if i < k)]


# --- arguments ---

def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _taps(where, taps, default):
    if taps is None:
        return list(default)
    taps = _as_list(taps)
    if not taps or not all(isinstance(t, numbers.Integral) for t in taps):
        raise ValueError(f"scan: {where}: taps must be a list of integers, not {taps!r}")
    if len(set(taps)) != len(taps):
        raise ValueError(f"scan: {where}: taps {taps} repeat a tap")
    return [int(t) for t in taps]


def _sequence(i, s):
    """(input, taps) of sequences[i]."""
    if not isinstance(s, dict):
        return s, [0]
    unknown = set(s) - {"input", "taps"}
    if unknown:
        raise ValueError(f"scan: sequences[{i}] has unsupported keys {sorted(unknown)} "
                         f"(input and taps are supported)")
    if s.get("input") is None:
        raise ValueError(f"scan: sequences[{i}] needs an input")
    return s["input"], _taps(f"sequences[{i}]", s.get("taps"), [0])


def _output(i, o):
    """(initial, taps) of outputs_info[i]; taps None for an output that is not fed back."""
    if o is None:
        return None, None
    if not isinstance(o, dict):
        return o, [-1]
    unknown = set(o) - {"initial", "taps", "inplace"}
    if unknown:
        raise ValueError(f"scan: outputs_info[{i}] has unsupported keys {sorted(unknown)} "
                         f"(initial and taps are supported)")
    if o.get("initial") is None:
        if o.get("taps") is not None:
            raise ValueError(f"scan: outputs_info[{i}] has taps but no initial value")
        return None, None
    taps = _taps(f"outputs_info[{i}]", o.get("taps"), [-1])
    if max(taps) >= 0:
        raise ValueError(f"scan: outputs_info[{i}]: taps {taps} must be negative (an output's "
                         f"past values)")
    return o["initial"], taps


def _returned(r):
    """fn's return value as a list of values (PyTensor's forms: one, a list, or with updates)."""
    if isinstance(r, tuple) and len(r) == 2 and isinstance(r[1], dict):
        if r[1]:
            raise ValueError("scan: fn returned updates; shared-variable updates are not supported")
        r = r[0]
    if isinstance(r, dict):
        raise ValueError("scan: fn returned a dict; shared-variable updates are not supported")
    if r is None:
        raise ValueError("scan: fn returned None; return the new value of each output")
    values = list(r) if isinstance(r, (list, tuple)) else [r]
    if not values:
        raise ValueError("scan: fn returned no values")
    return values


def _in_body(scope, v):
    """A returned value as a tensor of the body (a number a constant, a model tensor captured)."""
    if not isinstance(v, TensorVariable):
        try:
            v = as_tensor(v, scope)
        except (TypeError, ValueError) as e:
            raise ValueError(f"scan: fn returned {v!r}, which is not a tensor: {e}") from None
    return _core.as_tensor(scope._core, scope._realize_arg(v))


def _slice(x, start, stop, step=None):
    return _core.getitem(x, (("slice", start, stop, step),))


def _spec(t):
    return f"{t.dtype} of shape {tuple(t.shape)}"
