// Models for the Python layer: PyMC's statements (free and observed variables, data containers,
// deterministics, potentials) onto model::Model, distributions by family name with PyMC's
// arguments, what a model holds (for traces and InferenceData), and .stoch files.
#include <set>

#include "distributions/distribution.hpp"
#include "graph/tensor.hpp"
#include "io/data.hpp"
#include "lang/lang.hpp"
#include "model/log_density.hpp"
#include "model/model_graph.hpp"
#include "model/values.hpp"
#include "python/src/bindings.hpp"
#include "stochos/error.hpp"

namespace stochos::python {

using graph::DType;
using graph::Shape;

namespace {

// An argument of a distribution: a number, an array, a tensor, a distribution or a list of them.
distributions::Arg to_arg(py::handle v) {
  if (py::isinstance<PyTensor>(v)) return distributions::Arg(v.cast<const PyTensor&>().t);
  if (py::isinstance<PyDist>(v)) return distributions::Arg(v.cast<const PyDist&>().d);
  if ((py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) && py::len(v) > 0 &&
      py::isinstance<PyDist>(*py::iter(v))) {
    std::vector<distributions::Distribution> ds;
    for (py::handle d : v) {
      if (!py::isinstance<PyDist>(d))
        throw InputError("a list of distributions holds something else");
      ds.push_back(d.cast<const PyDist&>().d);
    }
    return distributions::Arg(ds);
  }
  if (py::isinstance<py::bool_>(v) || py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v))
    return distributions::Arg(v.cast<double>());
  auto [values, shape] = array_values(v);
  if (shape.empty()) return distributions::Arg(values.at(0));
  return distributions::Arg(std::move(values), std::move(shape));
}

std::optional<Shape> shape_of(const std::optional<std::vector<std::int64_t>>& s) {
  if (!s) return std::nullopt;
  return Shape(s->begin(), s->end());
}

py::tuple tuple_of(const Shape& s) {
  py::tuple t(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) t[i] = s[i];
  return t;
}

py::array_t<double> array_of(const std::vector<double>& values, const Shape& shape) {
  py::array_t<double> a(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  std::copy(values.begin(), values.end(), a.mutable_data());
  return a;
}

// Data for a .stoch file from a dict of arrays: integers stay integers (declared `int`).
io::DataSet data_set(const py::dict& data) {
  io::DataSet out;
  for (auto [k, v] : data) {
    const auto key = k.cast<std::string>();
    const py::array arr = py::module_::import("numpy").attr("asarray")(v);
    const char kind = arr.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
      throw InputError("data '" + key + "': expected numbers, got an array of dtype " +
                       py::str(arr.dtype()).cast<std::string>());
    auto [values, shape] = array_values(arr);
    // Whole numbers are integers however stored, as the data JSON's 3 and 3.0 are; NaN marks a
    // missing entry (JSON's null), which leaves an integer array integer.
    bool integer = true;
    if (kind == 'f')
      for (double x : values)
        integer = integer && (std::isnan(x) || (std::isfinite(x) && x == std::floor(x)));
    out[key] = io::DataValue{std::move(values), std::move(shape), integer};
  }
  return out;
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<PyDist>(m, "Dist").def_property_readonly(
      "family", [](const PyDist& d) { return d.d.family().name; });
  // make("Normal", [args], [(name, value)]): PyMC's positional order and keywords, alternatives
  // included (Note [distribution arguments]).
  m.def("make_dist", [](const std::string& family, const py::list& args, const py::list& kwargs) {
    std::vector<distributions::NamedArg> named;
    for (py::handle a : args) named.push_back({"", to_arg(a)});
    for (py::handle kv : kwargs) {
      const auto pair = kv.cast<py::tuple>();
      named.push_back({pair[0].cast<std::string>(), to_arg(pair[1])});
    }
    return PyDist{distributions::make(family, std::move(named))};
  });
  m.def("families", [] {
    py::list out;
    for (const std::string& name : distributions::family_names()) {
      const distributions::Family& f = distributions::family(name);
      py::dict d;
      d["name"] = f.name;
      d["positional"] = f.positional;
      d["keywords"] = f.keywords;
      d["discrete"] = f.discrete;
      d["multivariate"] = f.event_rank > 0;
      d["distribution_params"] = f.distribution_params;
      out.append(d);
    }
    return out;
  });

  auto model = py::reinterpret_borrow<py::class_<ModelHandle, ModelPtr>>(m.attr("Model"));
  model
      .def(py::init([](const std::string& floatx) {
             if (floatx != "float64" && floatx != "float32")
               throw InputError("floatX must be float64 or float32, not " + floatx);
             return std::make_shared<ModelHandle>(ModelHandle{
                 std::make_unique<model::Model>(floatx == "float32" ? DType::f32 : DType::f64)});
           }),
           py::arg("floatx") = "float64")
      .def_property_readonly("floatx",
                             [](const ModelPtr& h) {
                               return h->model->floatx() == DType::f32 ? "float32" : "float64";
                             })
      .def(
          "rv",
          [](const ModelPtr& h, const std::string& name, const PyDist& d,
             std::optional<std::vector<std::int64_t>> shape, std::optional<std::string> transform) {
            return wrap(
                h, h->model->rv(name, d.d, {.shape = shape_of(shape), .transform = transform}));
          })
      .def("observe",
           [](const ModelPtr& h, const std::string& name, const PyDist& d, py::handle observed,
              std::optional<std::vector<std::int64_t>> shape) {
             const model::ObserveOptions o{.shape = shape_of(shape)};
             if (py::isinstance<PyTensor>(observed))
               return wrap(h, h->model->observe(name, d.d, to_tensor(h, observed), o));
             auto [values, s] = array_values(observed);
             return wrap(h, h->model->observe(name, d.d, std::move(values), std::move(s), o));
           })
      .def("data",
           [](const ModelPtr& h, const std::string& name, py::handle values, bool integer) {
             auto [v, s] = array_values(values);
             return wrap(h, h->model->data(name, std::move(v), std::move(s),
                                           integer ? std::optional(DType::i64) : std::nullopt));
           })
      .def("set_data",
           [](const ModelPtr& h, const std::string& name, py::handle values) {
             h->model->set_data(name, array_values(values).first);
           })
      .def("deterministic",
           [](const ModelPtr& h, const std::string& name, const PyTensor& v) {
             return wrap(h, h->model->deterministic(name, to_tensor(h, py::cast(v))));
           })
      .def("potential",
           [](const ModelPtr& h, const std::string& name, const PyTensor& v) {
             h->model->potential(name, to_tensor(h, py::cast(v)));
           })
      // What the model holds, for traces, InferenceData and the picture.
      .def("free_vars",
           [](const ModelPtr& h) {
             py::list out;
             for (const auto& v : h->model->free_vars()) {
               py::dict d;
               d["name"] = v.name;
               d["value_name"] = v.value_name;
               d["family"] = v.family->name;
               d["shape"] = tuple_of(v.shape);
               d["discrete"] = v.discrete;
               d["tensor"] = wrap(h, v.value);
               out.append(d);
             }
             return out;
           })
      .def("observed_vars",
           [](const ModelPtr& h) {
             py::list out;
             for (const auto& v : h->model->observed_vars()) {
               py::dict d;
               d["name"] = v.name;
               d["family"] = v.family->name;
               d["shape"] = tuple_of(v.value.shape());
               d["tensor"] = wrap(h, v.value);
               out.append(d);
             }
             return out;
           })
      .def("data_vars",
           [](const ModelPtr& h) {
             py::list out;
             for (const auto& v : h->model->data_vars()) {
               py::dict d;
               d["name"] = v.name;
               d["values"] = array_of(v.values, v.input.shape());
               d["integer"] = v.input.dtype() == DType::i64;
               d["tensor"] = wrap(h, v.input);
               out.append(d);
             }
             return out;
           })
      .def("deterministics",
           [](const ModelPtr& h) {
             py::list out;
             for (const auto& [name, t] : h->model->deterministics())
               out.append(py::make_tuple(name, tuple_of(t.shape()), wrap(h, t)));
             return out;
           })
      .def("potentials",
           [](const ModelPtr& h) {
             py::list out;
             for (const auto& [name, t] : h->model->potentials())
               out.append(py::make_tuple(name, wrap(h, t)));
             return out;
           })
      .def("layout",
           [](const ModelPtr& h) {
             const model::Layout layout = h->model->layout();
             py::list out;
             for (const auto& s : layout.vars) {
               py::dict d;
               d["name"] = s.name;
               d["value_name"] = s.value_name;
               d["transform"] = s.transform;
               d["offset"] = s.offset;
               d["size"] = s.size;
               d["shape"] = tuple_of(s.shape);
               d["unconstrained_shape"] = tuple_of(s.unconstrained_shape);
               d["discrete"] = s.discrete;
               out.append(d);
             }
             return out;
           })
      // A tensor's value when it depends on constants and data alone (PyTensor's eval), else None.
      .def("evaluate_tensor",
           [](const ModelPtr& h, const PyTensor& x) -> py::object {
             std::set<graph::NodeId> free;
             for (const auto& v : h->model->free_vars()) free.insert(v.input.id());
             std::vector<graph::NodeId> stack{x.t.id()};
             std::set<graph::NodeId> seen;
             while (!stack.empty()) {
               const graph::NodeId id = stack.back();
               stack.pop_back();
               if (free.count(id)) return py::none();
               if (!seen.insert(id).second) continue;
               for (graph::NodeId in : h->model->graph().node(id).inputs) stack.push_back(in);
             }
             const model::ValueFunction f = h->model->compile_outputs({{"value", x.t}});
             const auto ws = f.make_workspace();
             const std::vector<double> theta(static_cast<std::size_t>(h->model->layout().dim), 0.0);
             std::vector<double> out(static_cast<std::size_t>(f.size()));
             f(*ws, theta.data(), out.data());
             return array_of(out, x.t.shape());
           })
      .def("initial_point", [](const ModelPtr& h) {
        const std::vector<double> p = h->model->initial_point();
        return array_of(p, {static_cast<std::int64_t>(p.size())});
      });

  // The picture of the model (model/model_graph.hpp): dims and their lengths by variable.
  m.def("model_to_dot", [](const ModelPtr& h, const model::DimNames& dims,
                           const std::map<std::string, std::vector<std::int64_t>>& lengths) {
    return model::model_to_dot(*h->model, dims, lengths);
  });

  // stochos.load("model.stoch", data): the language's model, as a Model like any other.
  m.def("load", [](const std::string& path, const py::dict& data, const std::string& floatx) {
    const lang::Program program = lang::parse_file(path);
    const io::DataSet ds = data_set(data);
    return std::make_shared<ModelHandle>(
        ModelHandle{lang::build(program, ds, floatx == "float32" ? DType::f32 : DType::f64)});
  });
  m.def("load_data", [](const std::string& path) {
    py::dict out;
    for (const auto& [name, v] : io::load_data(path)) {
      py::array_t<double> a = array_of(v.values, v.shape);
      bool gaps = false;  // null entries (NaN) keep the array float
      for (double x : v.values) gaps = gaps || std::isnan(x);
      out[py::str(name)] =
          v.integer && !gaps ? py::object(a.attr("astype")("int64")) : py::object(a);
    }
    return out;
  });
}

}  // namespace stochos::python
