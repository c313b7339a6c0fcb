"""PyMC's model: ``with stochos.Model(coords=...) as m:`` and the statements made inside it.

Note [replayed models]
A model keeps its statements (free and observed variables, data, deterministics, potentials) in
order, and every tensor keeps the operation that made it. Each is evaluated into the engine's
model at once (so errors point at the user's line), and the whole list is replayed into a fresh
engine model when ``set_data`` gives data of a new shape: the graph's shapes are static, and a
replay is how PyMC's symbolic shapes are had here. Shapes a statement took from data
(``dims=`` whose coords changed, ``shape=x.shape`` of a tensor) are read again at the replay.
An observed variable whose data no longer fits its new shape gets zeros in their place: the
model then serves predictive draws only, and sampling it is an error that says why.
"""

import threading

import numpy as np

from . import _core
from .tensor import ShapeOf, TensorVariable


class DistSpec:
    """A distribution not yet in a model (PyMC's ``Normal.dist(...)``)."""

    def __init__(self, family, args, kwargs):
        self.family = family
        self.args = tuple(args)
        self.kwargs = dict(kwargs)

    def __repr__(self):
        return f"{self.family}.dist(...)"


class Model:
    """PyMC's ``pm.Model``: a context in which distributions become the model's variables."""

    _local = threading.local()
    _depth = 0  # a scan step's scope is inside its model (loops.py)

    def __init__(self, name="", coords=None, *, floatX=None, check_bounds=True, model=None):
        if coords is not None and not isinstance(coords, dict):
            raise TypeError("coords must be a dict of dimension name -> labels")
        self.name = name
        self.coords = {}
        for k, v in (coords or {}).items():
            self.add_coord(k, v)
        self.dims = {}
        self._floatx = floatX or "float64"
        self._core = _core.Model(self._floatx)
        self._build = 0
        self._statements = []
        self._nodes = {}  # name -> TensorVariable
        self._data = {}  # data container -> its current values
        self._replayable = True
        self._predictive_only = None  # why sampling is refused after a replay, or None
        self._initvals = {}  # PyMC's initval= by variable (constrained values)
        self._sharding = None  # during _shard's replay: (dim, lo, hi, sharded input nodes)
        self._in_step = 0  # scan step functions being traced (loops.py)

    # --- the context ---
    def __enter__(self):
        stack = self._stack()
        stack.append(self)
        return self

    def __exit__(self, *exc):
        self._stack().pop()

    @classmethod
    def _stack(cls):
        if not hasattr(cls._local, "stack"):
            cls._local.stack = []
        return cls._local.stack

    @classmethod
    def get_context(cls, error_if_none=True):
        stack = cls._stack()
        if stack:
            return stack[-1]
        if error_if_none:
            raise TypeError("no model on the context stack: write `with stochos.Model() as m:` "
                            "or pass model=")
        return None

    # --- coords ---
    def add_coord(self, name, values=None, *, length=None):
        if values is None:
            if length is None:
                raise ValueError(f"coord '{name}': give values or length")
            values = range(int(length))
        self.coords[name] = tuple(np.asarray(values).tolist())

    def add_coords(self, coords):
        for k, v in coords.items():
            self.add_coord(k, v)

    def _shape_of_dims(self, name, dims):
        shape = []
        for d in dims:
            if d not in self.coords:
                raise ValueError(f"variable '{name}': dimension '{d}' has no coords; give "
                                 f"coords={{'{d}': ...}} to the Model, or shape=")
            shape.append(len(self.coords[d]))
        return tuple(shape)

    # --- what the model holds (PyMC's names) ---
    def __getitem__(self, name):
        try:
            return self.named_vars[name]
        except KeyError:
            raise KeyError(f"the model has no variable '{name}'") from None

    def __contains__(self, name):
        return name in self.named_vars

    @property
    def named_vars(self):
        names = ([v["name"] for v in self._core.free_vars()] + [v["name"] for v in self._core.observed_vars()]
                 + [n for n, _, _ in self._core.deterministics()] + [n for n, _ in self._core.potentials()]
                 + [v["name"] for v in self._core.data_vars() if not v["name"].endswith("__predictive")])
        return {n: self._node(n) for n in names}

    def _node(self, name):
        if name not in self._nodes:
            self._nodes[name] = TensorVariable(self, _lookup, (name,), name=name)
        return self._nodes[name]

    @property
    def free_RVs(self):
        return [self._node(v["name"]) for v in self._core.free_vars()]

    @property
    def observed_RVs(self):
        return [self._node(v["name"]) for v in self._core.observed_vars()]

    @property
    def basic_RVs(self):
        return self.free_RVs + self.observed_RVs

    @property
    def deterministics(self):
        return [self._node(n) for n, _, _ in self._core.deterministics()]

    @property
    def potentials(self):
        return [self._node(n) for n, _ in self._core.potentials()]

    @property
    def data_vars(self):
        return [self._node(v["name"]) for v in self._core.data_vars()
                if not v["name"].endswith("__predictive")]

    @property
    def value_vars(self):
        return [s["value_name"] for s in self._core.layout()]

    def initial_point(self, random_seed=None):
        """PyMC's initial point: {value variable: its unconstrained start}."""
        x = self._start()
        return {s["value_name"]: _slot(x, s) for s in self._core.layout()}

    def _start(self, initvals=None):
        """The packed initial point: the support point, with initval= and initvals in place."""
        values = {**self._initvals, **(initvals or {})}
        return self._pack_constrained(values) if values else self._core.initial_point()

    # --- evaluating the nodes (Note [replayed models]) ---
    def _realize(self, node):
        if node._build == self._build:
            return node._built
        if node.model is not self:
            raise ValueError(f"{node!r} belongs to another model")
        args = tuple(self._realize_arg(a) for a in node._args)
        node._built = node._op(self._core, *args)
        node._build = self._build
        return node._built

    def _realize_arg(self, a):
        if isinstance(a, TensorVariable):
            if getattr(a.model, "_is_step", False):
                raise ValueError("a value of a scan step function was used outside it; return "
                                 "it from the step function and use scan's result")
            if a.model is not self:
                raise ValueError(f"{a!r} belongs to another model")
            return self._realize(a)
        if isinstance(a, DistSpec):
            return _core.make_dist(a.family, [self._realize_arg(x) for x in a.args],
                                   [(k, self._realize_arg(v)) for k, v in a.kwargs.items()])
        if isinstance(a, ShapeOf):
            return tuple(self._realize(a.node).shape)
        if isinstance(a, list):
            if any(isinstance(x, TensorVariable) for x in a):
                return _core.call(self._core, "stack", [self._realize_arg(x) for x in a], [])
            return [self._realize_arg(x) for x in a]
        if isinstance(a, tuple):
            return tuple(self._realize_arg(x) for x in a)
        return a

    def _statement(self, name, op, args):
        if not isinstance(name, str) or not name:
            raise TypeError(f"a variable's name must be a non-empty string, not {name!r}")
        if self._in_step:
            raise ValueError(f"'{name}': a scan step function cannot add variables to the model; "
                             f"make them outside and pass them in non_sequences")
        node = TensorVariable(self, op, args, name=name)
        self._statements.append(node)
        self._nodes[name] = node
        return node

    def _replay(self):
        if not self._replayable:
            raise ValueError("this model was loaded from a .stoch file; set_data can change its "
                             "data's values, not their shapes")
        self._core = _core.Model(self._floatx)
        self._build += 1
        self._predictive_only = None
        for node in self._statements:
            self._realize(node)

    # --- statements ---
    def _add_variable(self, name, spec, *, dims=None, shape=None, observed=None, transform=None):
        dims = _as_dims(dims)
        if shape is not None and not isinstance(shape, ShapeOf):
            shape = _as_shape(shape)
        if observed is None:
            if dims is not None and shape is None:
                shape = self._shape_of_dims(name, dims)
            node = self._statement(name, self._op_rv, (name, spec, dims, shape, transform))
        else:
            if transform is not None:
                raise ValueError(f"observed variable '{name}' takes no transform")
            if not isinstance(observed, TensorVariable):
                observed = _observed_values(name, observed)
                if dims is not None:
                    for d, n in zip(dims, observed.shape):
                        if d not in self.coords:
                            self.add_coord(d, length=n)
            node = self._statement(name, self._op_observe, (name, spec, dims, shape, observed))
        if dims is not None:
            self.dims[name] = dims
        return node

    def _op_rv(self, core, name, dist, dims, shape, transform):
        if self._sharding and dims is not None and self._sharding[0] in dims:
            raise ValueError(f"free variable '{name}' has one value per '{self._sharding[0]}': "
                             f"a model with per-row unknowns cannot be sharded by it")
        if dims is not None:
            shape = self._shape_of_dims(name, dims)
        return core.rv(name, dist, None if shape is None else list(shape), transform)

    def _op_observe(self, core, name, dist, dims, shape, observed):
        if self._sharding and dims and dims[0] == self._sharding[0] and not isinstance(observed, _core.Tensor):
            # This shard's rows, as a data container the sharding analysis can follow.
            dim, lo, hi, inputs = self._sharding
            holder = core.data(f"{name} (shard)", np.asarray(observed)[lo:hi], False)
            inputs.append(holder.node)
            return core.observe(name, dist, holder, None)
        target = self._shape_of_dims(name, dims) if dims is not None else shape
        given = tuple(observed.shape)
        if self._build > 0 and target is not None and tuple(target) != given:
            # A replay gave the variable a new shape its data do not have: zeros in their
            # place, for predictive draws only (Note [replayed models]).
            self._predictive_only = (
                f"observed variable '{name}' has shape {tuple(target)} after set_data, but its "
                f"data have shape {given}; the model serves sample_posterior_predictive until "
                f"set_data gives it data of that shape")
            holder = core.data(f"{name}__predictive", np.zeros(target), False)
            return core.observe(name, dist, holder, list(target))
        return core.observe(name, dist, observed, None if shape is None else list(shape))

    def _add_data(self, name, value, dims=None):
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"data '{name}': expected numbers, got an array of Python objects")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"data '{name}': expected numbers, not {arr.dtype}")
        self._data[name] = arr
        dims = _as_dims(dims)
        if dims is not None:
            if len(dims) != arr.ndim:
                raise ValueError(f"data '{name}': {len(dims)} dims for an array of shape {arr.shape}")
            for d, n in zip(dims, arr.shape):
                if d not in self.coords:
                    self.add_coord(d, length=n)
            self.dims[name] = dims
        return self._statement(name, self._op_data, (name,))

    def _op_data(self, core, name):
        arr = self._data[name]
        dims = self.dims.get(name)
        sharded = self._sharding and dims and dims[0] == self._sharding[0]
        if sharded:
            arr = arr[self._sharding[1]:self._sharding[2]]
        t = core.data(name, arr.astype(np.float64), arr.dtype.kind in "biu")
        if sharded:
            self._sharding[3].append(t.node)
        return t

    def _shard(self, dim, shards, world):
        """This rank's shard of the model for sample(shard_by=dim) (Note [sharded runs] in
        mpi/shard.hpp): the statements replayed with the rows of `dim` this rank keeps."""
        if not self._replayable:
            raise ValueError("shard_by= needs a model built in Python; for a .stoch file use "
                             "`stochos sample --shard-by`")
        if dim not in self.coords:
            raise ValueError(f"shard_by='{dim}': the model has no dimension '{dim}' "
                             f"(its dims: {', '.join(self.coords) or 'none'})")
        rank, size = (world["rank"], world["size"]) if world else (0, 1)
        n = len(self.coords[dim])
        if shards > n:
            raise ValueError(f"shards={shards} is more than the {n} rows of '{dim}'")
        if shards > 1 and world is None:
            raise ValueError(f"shards={shards} needs mpirun -np {shards} (or a multiple)")
        if shards < 1 or size % shards:
            raise ValueError(f"shards={shards} does not divide the {size} ranks")
        k = rank % shards
        lo = k * (n // shards) + min(k, n % shards)
        hi = lo + n // shards + (1 if k < n % shards else 0)
        whole = self.coords[dim]
        self._sharding = (dim, lo, hi, [])
        self.coords[dim] = whole[lo:hi]
        try:
            self._replay()
            part, inputs = self._core, list(self._sharding[3])
        finally:
            self._sharding = None
            self.coords[dim] = whole
            self._replay()
        if not inputs:
            raise ValueError(f"shard_by='{dim}': no data or observed variable has '{dim}' as its "
                             f"first dimension")
        return {"shard_part": part, "shard_inputs": inputs, "shards": shards}

    def _op_deterministic(self, core, name, value):
        return core.deterministic(name, value)

    def _op_potential(self, core, name, value):
        core.potential(name, value)
        return None

    def set_data(self, new_data, coords=None):
        """PyMC's pm.set_data: new values for data containers (and coords for new shapes)."""
        for name in new_data:
            if name not in self._data:
                raise KeyError(f"the model has no data container '{name}'")
        reshaped = False
        old = dict(self._data)
        for name, value in new_data.items():
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"data '{name}': expected numbers, not {arr.dtype}")
            if arr.dtype.kind in "biu" and old[name].dtype.kind == "f":
                arr = arr.astype(np.float64)
            reshaped = reshaped or arr.shape != old[name].shape
            self._data[name] = arr
        old_coords = dict(self.coords)
        if coords:
            self.add_coords(coords)
        for name, value in new_data.items():
            for d, n in zip(self.dims.get(name, ()), self._data[name].shape):
                if len(self.coords.get(d, ())) != n:
                    if coords and d in coords:
                        raise ValueError(f"set_data: coords '{d}' has {len(self.coords[d])} "
                                         f"labels; data '{name}' has {n} along it")
                    self.add_coord(d, length=n)
        reshaped = reshaped or any(len(self.coords.get(k, ())) != len(v) for k, v in old_coords.items())
        if not reshaped:
            for name in new_data:
                self._core.set_data(name, self._data[name].astype(np.float64))
            return
        try:
            self._replay()
        except Exception:
            self._data, self.coords = old, old_coords
            self._replay()
            raise

    # --- debugging (PyMC's) ---
    def compile_logp(self, jacobian=True, backend=None):
        """A function of a point ({name or value name: values}) returning the log density."""
        return lambda point: self._evaluate(point, jacobian, backend)["logp"]

    def compile_dlogp(self, jacobian=True, backend=None):
        return lambda point: self._evaluate(point, jacobian, backend)["grad"]

    def point_logps(self, point=None, round_vals=2, backend=None):
        """Each variable's log density term at a point (the initial point by default)."""
        r = self._evaluate(point or self.initial_point(), True, backend)
        return {k: round(v, round_vals) for k, v in r["terms"].items()}

    def logp(self, point=None, jacobian=True, backend=None):
        return self._evaluate(point or self.initial_point(), jacobian, backend)["logp"]

    def _evaluate(self, point, jacobian, backend):
        return _core.evaluate(self._core, self._pack(point), jacobian, backend)

    def _pack(self, point):
        """A packed unconstrained vector from value names (tau_log__) or constrained names (tau)."""
        layout = self._core.layout()
        if all(s["value_name"] in point for s in layout):
            parts = [np.asarray(point[s["value_name"]], dtype=float).reshape(-1) for s in layout]
            for s, p in zip(layout, parts):
                if p.size != s["size"]:
                    raise ValueError(f"point: '{s['value_name']}' has {p.size} values; the model "
                                     f"has {s['size']}")
            return np.concatenate(parts) if parts else np.zeros(0)
        return self._pack_constrained(point)

    def _pack_constrained(self, values, start=None):
        """The packed point of constrained values by name; the variables not named keep their
        values at `start` (packed; the model's initial point by default)."""
        layout = self._core.layout()
        names = {s["name"] for s in layout} | {s["value_name"] for s in layout}
        unknown = [k for k in values if k not in names]
        if unknown:
            raise KeyError(f"the model has no free variable {', '.join(map(repr, unknown))}")
        if start is None:
            start = self._core.initial_point()
        current = _core.constrain(self._core, list(np.asarray(start, dtype=float)))
        parts = []
        for s, now in zip(layout, current):
            if s["name"] in values:
                v = np.asarray(values[s["name"]], dtype=float).reshape(-1)
                if v.size == 1 and s["size"] > 1:
                    v = np.full(s["size"], v[0])
                parts.append(v.tolist())
            else:
                parts.append(now)
        packed = np.asarray(_core.unconstrain(self._core, parts))
        for s in layout:  # unconstrained values given by value name win
            if s["value_name"] in values and s["value_name"] != s["name"]:
                v = np.asarray(values[s["value_name"]], dtype=float).reshape(-1)
                packed[s["offset"]:s["offset"] + s["size"]] = v
        return packed

    def __repr__(self):
        return f"<stochos.Model {self.name!r}: {len(self.free_RVs)} free, {len(self.observed_RVs)} observed>"


def _lookup(core, name):
    """A variable the engine made (NAME_unobserved) or a model loaded from a file: by name."""
    for v in core.free_vars() + core.observed_vars() + core.data_vars():
        if v["name"] == name:
            return v["tensor"]
    for n, _, t in core.deterministics():
        if n == name:
            return t
    for n, t in core.potentials():
        if n == name:
            return t
    raise KeyError(f"the model has no variable '{name}'")


def _slot(x, s):
    v = x[s["offset"]:s["offset"] + s["size"]]
    return v.reshape(s["unconstrained_shape"]) if s["unconstrained_shape"] else v[0]


def _as_dims(dims):
    if dims is None:
        return None
    if isinstance(dims, str):
        return (dims,)
    return tuple(dims)


def _as_shape(shape):
    if isinstance(shape, TensorVariable):
        raise TypeError("shape= takes integers (or x.shape of a tensor), not a tensor")
    if np.ndim(shape) == 0:
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _observed_values(name, observed):
    """Observed data as a float array; masked entries and None become NaN (missing data)."""
    if hasattr(observed, "to_numpy"):  # pandas
        observed = observed.to_numpy()
    if isinstance(observed, np.ma.MaskedArray):
        observed = observed.astype(float).filled(np.nan)
    arr = np.asarray(observed)
    if arr.dtype == object:
        try:
            arr = np.array([np.nan if v is None else v for v in arr.reshape(-1)],
                           dtype=float).reshape(arr.shape)
        except (TypeError, ValueError):
            raise TypeError(f"observed '{name}': expected numbers") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"observed '{name}': expected numbers, not {arr.dtype}")
    return arr.astype(np.float64)


def modelcontext(model=None):
    return model if model is not None else Model.get_context()


def Data(name, value, *, dims=None, coords=None, mutable=None, model=None, **kwargs):
    """PyMC's pm.Data: values the model reads, replaceable by set_data."""
    model = modelcontext(model)
    if coords:
        model.add_coords(coords)
    return model._add_data(name, value, dims)


MutableData = Data
ConstantData = Data


def set_data(new_data, model=None, *, coords=None):
    modelcontext(model).set_data(new_data, coords=coords)


def Deterministic(name, var, dims=None, model=None):
    model = modelcontext(model)
    from .tensor import as_tensor

    var = as_tensor(var, model)
    node = model._statement(name, model._op_deterministic, (name, var))
    if dims is not None:
        model.dims[name] = _as_dims(dims)
    return node


def Potential(name, var, model=None):
    model = modelcontext(model)
    from .tensor import as_tensor

    return model._statement(name, model._op_potential, (name, as_tensor(var, model)))


def load_data(path):
    """A data JSON file (the CLI's --data) as {name: numpy array}; null entries are NaN."""
    return _core.load_data(str(path))


def load(path, data=None, *, floatX="float64"):
    """A model from a .stoch file with its data (a dict of arrays, or a data JSON file's path)."""
    if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        data = _core.load_data(str(data))
    m = Model(floatX=floatX)
    m._core = _core.load(str(path), {k: np.asarray(v) for k, v in (data or {}).items()}, floatX)
    m._replayable = False
    for v in m._core.data_vars():
        m._data[v["name"]] = v["values"]
    return m
