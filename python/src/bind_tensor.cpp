// Tensors for the Python layer: conversion of numbers and arrays, NumPy's operators, indexing,
// reductions, and the functions of the language (lang/functions.hpp) by name, so that
// stochos.math and a .stoch file call the same code.
#include <algorithm>

#include "graph/tensor.hpp"
#include "lang/functions.hpp"
#include "python/src/bindings.hpp"
#include "stochos/error.hpp"

namespace stochos::python {

using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

DType dtype_of(const std::string& name) {
  if (name == "float64") return DType::f64;
  if (name == "float32") return DType::f32;
  if (name == "int64") return DType::i64;
  if (name == "bool") return DType::boolean;
  throw InputError("unknown dtype '" + name + "' (float64, float32, int64 or bool)");
}

// A Python number beside a tensor takes the tensor's dtype where that keeps its value (NumPy's
// rule for scalars): an int beside anything, a float beside a float tensor; a float beside an
// integer tensor is the model's float type.
Tensor scalar_beside(const ModelPtr& m, py::handle v, const Tensor& other) {
  graph::Graph& g = m->graph();
  if (py::isinstance<py::bool_>(v))
    return graph::constant(g, v.cast<bool>() ? 1 : 0, DType::boolean);
  if (py::isinstance<py::int_>(v)) {
    const DType d = other.dtype() == DType::boolean ? DType::i64 : other.dtype();
    return graph::constant(g, v.cast<double>(), d);
  }
  const DType d = is_float(other.dtype()) ? other.dtype() : m->floatx();
  return graph::constant(g, v.cast<double>(), d);
}

bool is_number(py::handle v) {
  return py::isinstance<py::bool_>(v) || py::isinstance<py::int_>(v) ||
         py::isinstance<py::float_>(v);
}

Tensor operand(const ModelPtr& m, py::handle v, const Tensor* other) {
  if (other && is_number(v)) return scalar_beside(m, v, *other);
  return to_tensor(m, v);
}

Tensor binary(const std::string& op, const Tensor& a, const Tensor& b) {
  if (op == "add") return graph::add(a, b);
  if (op == "sub") return graph::sub(a, b);
  if (op == "mul") return graph::mul(a, b);
  if (op == "truediv") {
    // NumPy's true division: integers divide as floats.
    const DType f = is_float(a.dtype()) ? a.dtype() : is_float(b.dtype()) ? b.dtype() : DType::f64;
    return graph::div(is_float(a.dtype()) ? a : graph::cast(a, f),
                      is_float(b.dtype()) ? b : graph::cast(b, f));
  }
  if (op == "pow") return graph::pow(a, b);
  if (op == "matmul") return graph::matmul(a, b);
  if (op == "maximum") return graph::maximum(a, b);
  if (op == "minimum") return graph::minimum(a, b);
  if (op == "lt") return graph::less(a, b);
  if (op == "le") return graph::less_equal(a, b);
  if (op == "gt") return graph::greater(a, b);
  if (op == "ge") return graph::greater_equal(a, b);
  if (op == "eq") return graph::equal(a, b);
  if (op == "ne") return graph::not_equal(a, b);
  if (op == "and") return graph::logical_and(a, b);
  if (op == "or") return graph::logical_or(a, b);
  throw InputError("unknown operator '" + op + "'");
}

std::int64_t axis_of(std::int64_t axis, std::size_t rank, const Tensor& x) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r)
    throw InputError("axis " + std::to_string(axis) + " is out of range for a tensor of shape " +
                     graph::shape_str(x.shape()));
  return axis < 0 ? axis + r : axis;
}

Tensor reduce(const std::string& op, const Tensor& x, std::optional<std::int64_t> axis,
              bool keepdims) {
  using Whole = Tensor (*)(const Tensor&);
  using Along = Tensor (*)(const Tensor&, std::int64_t, bool);
  static const std::map<std::string, std::pair<Whole, Along>> table = {
      {"sum", {graph::sum, graph::sum}},    {"prod", {graph::prod, graph::prod}},
      {"max", {graph::max, graph::max}},    {"min", {graph::min, graph::min}},
      {"mean", {graph::mean, graph::mean}}, {"logsumexp", {graph::logsumexp, graph::logsumexp}},
  };
  const auto it = table.find(op);
  if (it == table.end()) throw InputError("unknown reduction '" + op + "'");
  if (!axis) {
    Tensor r = it->second.first(x);
    return keepdims ? graph::reshape(r, Shape(x.rank(), 1)) : r;
  }
  return it->second.second(x, axis_of(*axis, x.rank(), x), keepdims);
}

// x[array] along `axis`: the index's axes take that axis's place.
Tensor gather_along(const Tensor& x, const Tensor& idx, std::int64_t axis) {
  if (axis == 0) return graph::gather(x, idx);
  const auto r = static_cast<std::int64_t>(x.rank());
  std::vector<std::int64_t> front{axis};
  for (std::int64_t a = 0; a < r; ++a)
    if (a != axis) front.push_back(a);
  const Tensor g = graph::gather(graph::transpose(x, front), idx);
  const auto k = static_cast<std::int64_t>(idx.rank());
  std::vector<std::int64_t> back;
  for (std::int64_t a = 0; a < axis; ++a) back.push_back(k + a);
  for (std::int64_t a = 0; a < k; ++a) back.push_back(a);
  for (std::int64_t a = k + axis; a < k + r - 1; ++a) back.push_back(a);
  return graph::transpose(g, back);
}

Shape without(const Shape& s, std::size_t axis) {
  Shape out;
  for (std::size_t a = 0; a < s.size(); ++a)
    if (a != axis) out.push_back(s[a]);
  return out;
}

// key: the Python layer's normalised index, one item per axis it touches: ("int", i),
// ("slice", start, stop, step), ("array", tensor or array) or ("newaxis",).
Tensor getitem(const PyTensor& x, const py::tuple& key) {
  Tensor t = x.t;
  std::size_t axis = 0;
  for (py::handle item_h : key) {
    const auto item = item_h.cast<py::tuple>();
    const auto kind = item[0].cast<std::string>();
    if (kind == "newaxis") {
      Shape s = t.shape();
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(axis), 1);
      t = graph::reshape(t, s);
      ++axis;
      continue;
    }
    if (axis >= t.rank())
      throw InputError("too many indices for a tensor of shape " + graph::shape_str(x.t.shape()));
    const std::int64_t n = t.shape()[axis];
    if (kind == "int") {
      std::int64_t i = item[1].cast<std::int64_t>();
      if (i < -n || i >= n)
        throw InputError("index " + std::to_string(i) + " is out of bounds for axis " +
                         std::to_string(axis) + " with size " + std::to_string(n));
      if (i < 0) i += n;
      const Tensor s = graph::slice(t, static_cast<std::int64_t>(axis), i, i + 1);
      t = graph::reshape(s, without(t.shape(), axis));
    } else if (kind == "slice") {
      auto opt = [](py::handle h) -> std::optional<std::int64_t> {
        if (h.is_none()) return std::nullopt;
        return h.cast<std::int64_t>();
      };
      const std::int64_t step = item[3].is_none() ? 1 : item[3].cast<std::int64_t>();
      if (step == 0) throw InputError("slice step cannot be zero");
      t = graph::slice(t, static_cast<std::int64_t>(axis), opt(item[1]), opt(item[2]), step);
      ++axis;
    } else if (kind == "array") {
      const Tensor idx = to_tensor(x.owner, item[1]);
      if (idx.dtype() != DType::i64)
        throw InputError("an index array must hold integers, not " +
                         std::string(graph::dtype_name(idx.dtype())));
      t = gather_along(t, idx, static_cast<std::int64_t>(axis));
      axis += idx.rank();
    } else {
      throw InputError("unsupported index");
    }
  }
  return t;
}

}  // namespace

PyTensor wrap(const ModelPtr& m, Tensor t) {
  return PyTensor{std::move(t), m};
}

std::pair<std::vector<double>, Shape> array_values(py::handle v) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(v);
  if (!a) throw InputError("expected numbers or an array of numbers");
  Shape shape(a.shape(), a.shape() + a.ndim());
  std::vector<double> values(a.data(), a.data() + a.size());
  return {std::move(values), std::move(shape)};
}

namespace {

// t in the graph of m: itself, or captured into the scan body m from a graph around it (through
// every body in between).
Tensor lift(const ModelPtr& m, const PyTensor& t) {
  t.owner->graph();  // a ValueError for a tensor of a body whose trace is over
  m->graph();
  if (t.owner == m) return t.t;
  if (m->model || !m->outer) throw InputError("a tensor of another model cannot be used here");
  return m->body->capture(lift(m->outer, t));
}

}  // namespace

graph::Graph& ModelHandle::graph() const {
  if (model) return model->graph();
  if (!body)
    throw InputError(
        "a tensor of a scan step function was used after the step returned; return it from the "
        "step function instead");
  return body->graph;
}

Tensor to_tensor(const ModelPtr& m, py::handle v) {
  if (py::isinstance<PyTensor>(v)) return lift(m, v.cast<const PyTensor&>());
  graph::Graph& g = m->graph();
  if (py::isinstance<py::bool_>(v))
    return graph::constant(g, v.cast<bool>() ? 1 : 0, DType::boolean);
  if (py::isinstance<py::int_>(v)) return graph::constant(g, v.cast<double>(), DType::i64);
  if (py::isinstance<py::float_>(v)) return graph::constant(g, v.cast<double>(), m->floatx());
  const py::array arr = py::module_::import("numpy").attr("asarray")(v);
  const char kind = arr.dtype().kind();
  DType d = m->floatx();
  if (kind == 'i' || kind == 'u')
    d = DType::i64;
  else if (kind == 'b')
    d = DType::boolean;
  else if (kind != 'f')
    throw InputError("cannot use an array of dtype " + py::str(arr.dtype()).cast<std::string>() +
                     " in a model (numbers or booleans)");
  auto [values, shape] = array_values(arr);
  return graph::constant(g, std::move(shape), std::move(values), d);
}

ModelPtr owner_of(const std::vector<py::handle>& vs) {
  ModelPtr owner;
  for (py::handle v : vs)
    if (py::isinstance<PyTensor>(v)) {
      const ModelPtr& o = v.cast<const PyTensor&>().owner;
      if (!owner || o->depth() > owner->depth()) owner = o;
    }
  return owner;
}

void bind_tensor(py::module_& m) {
  py::class_<ModelHandle, ModelPtr>(m, "Model");  // its methods: bind_model.cpp
  py::class_<PyTensor>(m, "Tensor")
      .def_property_readonly("shape",
                             [](const PyTensor& t) {
                               py::tuple s(t.t.rank());
                               for (std::size_t i = 0; i < t.t.rank(); ++i) s[i] = t.t.shape()[i];
                               return s;
                             })
      .def_property_readonly(
          "dtype", [](const PyTensor& t) { return std::string(graph::dtype_name(t.t.dtype())); })
      .def_property_readonly("ndim", [](const PyTensor& t) { return t.t.rank(); })
      .def_property_readonly("is_constant", [](const PyTensor& t) { return t.t.is_constant(); })
      .def_property_readonly("node", [](const PyTensor& t) { return t.t.id(); });

  m.def("as_tensor",
        [](const ModelPtr& model, py::handle v) { return wrap(model, to_tensor(model, v)); });
  // A constant's values (NumPy's array of them), or None for anything computed at run time.
  m.def("constant_values", [](const PyTensor& x) -> py::object {
    if (!x.t.is_constant()) return py::none();
    const auto& data = *x.t.node().attrs.data;
    py::array_t<double> a(std::vector<py::ssize_t>(x.t.shape().begin(), x.t.shape().end()));
    std::copy(data.begin(), data.end(), a.mutable_data());
    return py::object(std::move(a));
  });
  m.def("binary", [](const std::string& op, py::handle a, py::handle b) {
    const ModelPtr owner = owner_of({a, b});
    if (!owner) throw InputError("an operator needs a tensor of a model");
    const bool a_t = py::isinstance<PyTensor>(a);
    const Tensor ta = a_t ? to_tensor(owner, a) : Tensor{};
    const Tensor tb = py::isinstance<PyTensor>(b) ? to_tensor(owner, b) : Tensor{};
    const Tensor x = a_t ? ta : operand(owner, a, &tb);
    const Tensor y = tb.valid() ? tb : operand(owner, b, &ta);
    return wrap(owner, binary(op, x, y));
  });
  m.def("unary", [](const std::string& op, const PyTensor& x) {
    if (op == "neg") return wrap(x.owner, graph::neg(x.t));
    if (op == "abs") return wrap(x.owner, graph::abs(x.t));
    if (op == "not") return wrap(x.owner, graph::logical_not(x.t));
    throw InputError("unknown operator '" + op + "'");
  });
  m.def("reduce", [](const std::string& op, const PyTensor& x, std::optional<std::int64_t> axis,
                     bool keepdims) { return wrap(x.owner, reduce(op, x.t, axis, keepdims)); });
  m.def("reshape", [](const PyTensor& x, std::vector<std::int64_t> shape) {
    // NumPy's -1: the one dimension the others leave.
    std::int64_t known = 1, unknown = -1;
    for (std::size_t i = 0; i < shape.size(); ++i)
      if (shape[i] == -1) {
        if (unknown >= 0) throw InputError("reshape: only one dimension can be -1");
        unknown = static_cast<std::int64_t>(i);
      } else {
        known *= shape[i];
      }
    if (unknown >= 0 && known > 0) shape[static_cast<std::size_t>(unknown)] = x.t.size() / known;
    return wrap(x.owner, graph::reshape(x.t, shape));
  });
  m.def("transpose", [](const PyTensor& x, std::optional<std::vector<std::int64_t>> perm) {
    return wrap(x.owner, perm ? graph::transpose(x.t, *perm) : graph::transpose(x.t));
  });
  m.def("cast", [](const PyTensor& x, const std::string& dtype) {
    return wrap(x.owner, graph::cast(x.t, dtype_of(dtype)));
  });
  m.def("getitem",
        [](const PyTensor& x, const py::tuple& key) { return wrap(x.owner, getitem(x, key)); });
  // A function of the language by name: `args` are its tensor arguments (a list for concat and
  // stack), `ints` its integer ones (an axis).
  m.def("call", [](const ModelPtr& owner, const std::string& name, const py::list& args,
                   const std::vector<std::int64_t>& ints) {
    const auto& table = lang::functions();
    const auto it = table.find(name);
    if (it == table.end()) throw InputError("unknown function '" + name + "'");
    std::vector<Tensor> ts;
    for (py::handle a : args) ts.push_back(to_tensor(owner, a));
    return wrap(owner, it->second.apply(owner->graph(), ts, ints, owner->floatx()));
  });
  // name -> (min args, max args, leading tensor args, takes a list): stochos.math's functions.
  m.def("function_specs", [] {
    py::dict out;
    for (const auto& [name, f] : lang::functions())
      out[py::str(name)] = py::make_tuple(f.min_args, f.max_args, f.tensors, f.list_argument);
    return out;
  });
}

}  // namespace stochos::python
