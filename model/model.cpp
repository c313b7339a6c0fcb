#include "model/model.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/config.hpp"
#include "backends/registry.hpp"
#include "graph/print.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

namespace {

// Errors from a variable's distribution, prefixed with the variable.
template <class F>
auto for_variable(const std::string& name, F&& f) {
  try {
    return f();
  } catch (const InputError& e) {  // graph errors (shape mismatches) included
    throw InputError("variable '" + name + "': " + e.what());
  }
}

// True when t depends on no graph input: its value is known when the model is built, even where
// folding did not compute it (a Cholesky factor of a constant matrix).
bool fixed(const Tensor& t) {
  if (t.is_constant()) return true;
  const graph::NodeId out[] = {t.id()};
  for (graph::NodeId id : graph::reachable(t.graph(), out))
    if (t.graph().node(id).op == graph::Op::input) return false;
  return true;
}

// The values of a fixed tensor, computed by the native engine where folding left them.
std::vector<double> values_of(const Tensor& t) {
  if (t.is_constant()) return *t.node().attrs.data;
  const graph::NodeId out[] = {t.id()};
  const auto exe = backends::compile(backends::get_backend("native"), t.graph(), {}, out);
  auto ws = exe->make_workspace();
  std::vector<std::uint64_t> buf(static_cast<std::size_t>(t.size()) + 1);
  void* outs[] = {buf.data()};
  exe->run(*ws, {}, outs);
  std::vector<double> v(static_cast<std::size_t>(t.size()));
  for (std::size_t i = 0; i < v.size(); ++i) switch (t.dtype()) {
      case DType::f64:
        v[i] = reinterpret_cast<const double*>(buf.data())[i];
        break;
      case DType::f32:
        v[i] = reinterpret_cast<const float*>(buf.data())[i];
        break;
      case DType::i64:
        v[i] = static_cast<double>(reinterpret_cast<const std::int64_t*>(buf.data())[i]);
        break;
      case DType::boolean:
        v[i] = reinterpret_cast<const std::uint8_t*>(buf.data())[i];
        break;
    }
  return v;
}

// The first false element of a fixed bool tensor, if any.
std::optional<std::int64_t> first_false(const Tensor& cond) {
  const auto d = values_of(cond);
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i] == 0.0) return static_cast<std::int64_t>(i);
  return std::nullopt;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// The broadcast shape of a family's parameters.
Shape batch_shape(const std::string& name, const distributions::Params& p) {
  Shape s;
  for (const auto& [pname, t] : p.all()) {
    auto b = graph::broadcast_shapes(s, t.shape());
    if (!b)
      throw InputError("variable '" + name + "': parameter " + pname + " of shape " +
                       graph::shape_str(t.shape()) + " does not broadcast with " +
                       graph::shape_str(s));
    s = *b;
  }
  return s;
}

// A value of fixed tensor t's element i, for messages.
double element(const Tensor& t, std::int64_t i) {
  return values_of(t)[static_cast<std::size_t>(t.shape().empty() ? 0 : i)];
}

// Fixed parameters are checked now; the others make the term -inf where they fail.
void check_fixed_parameters(const std::string& name, const distributions::Family& f,
                            const distributions::Params& p) {
  if (!f.param_conditions) return;
  for (const distributions::Condition& c : f.param_conditions(p)) {
    if (!fixed(c.holds)) continue;
    if (auto i = first_false(c.holds))
      throw InputError(
          "variable '" + name + "': " + f.name + " needs " + c.what +
          (c.holds.size() > 1 ? " (fails at element " + std::to_string(*i) + ")" : ""));
  }
}

// True when every element of `cond` is (a scalar bool).
Tensor all_of(const Tensor& cond, DType floatx) {
  return graph::greater(graph::min(graph::cast(cond, floatx)),
                        graph::constant(cond.graph(), 0.5, floatx));
}

// A transform chosen by name (PyMC's transform=); null for "none".
std::unique_ptr<transforms::Transform> named_transform(const std::string& var, const std::string& t,
                                                       const distributions::Params& p) {
  const auto bound = [&](const char* b) {
    return p.has(b) ? std::optional<Tensor>(p[b]) : std::nullopt;
  };
  return for_variable(var, [&] { return transforms::by_name(t, bound("lower"), bound("upper")); });
}

// "745 GiB", "1.5 GiB", "3 TiB": a byte count for people.
std::string human_bytes(double b) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (b >= 1024 && u < 6) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, b < 10 && u > 0 ? "%.1f %s" : "%.0f %s", b, units[u]);
  return buf;
}

std::uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<std::uint64_t>::max();  // unknown
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

}  // namespace

void check_fits_in_memory(const std::string& what, const Shape& shape, DType dtype) {
  for (std::int64_t d : shape)
    if (d < 0)
      throw InputError(what + ": shape " + graph::shape_str(shape) + " has a negative dimension");
  if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d == 0; })) return;
  // Counted in 64 unsigned bits with overflow checks: [2^32, 2^32, 8] must not wrap to 0.
  std::uint64_t bytes = backends::element_size(dtype);
  bool overflow = false;
  for (std::int64_t d : shape)
    overflow = overflow || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes);
  const std::uint64_t memory = physical_memory();
  if (!overflow && bytes <= memory) return;
  // The machine's own figure stays out of the message, so that it reads the same everywhere.
  throw InputError(what + ": shape " + graph::shape_str(shape) + " needs " +
                   (overflow
                        ? std::string("more than 2^64 bytes")
                        : std::to_string(bytes) + " bytes (" + human_bytes(double(bytes)) + ")") +
                   ", more than this machine's memory");
}

Model::Model(DType floatx) : g_(std::make_unique<graph::Graph>()), floatx_(floatx) {
  if (floatx != DType::f64 && floatx != DType::f32)
    throw InputError("a model's float type is float64 or float32");
}

void Model::claim(const std::string& name) {
  if (name.empty()) throw InputError("a variable needs a name");
  if (std::find(names_.begin(), names_.end(), name) != names_.end())
    throw InputError("the name '" + name + "' is used twice in the model");
  names_.push_back(name);
}

distributions::Params Model::resolve(const std::string& name,
                                     const distributions::Distribution& d) {
  return for_variable(name, [&] { return d.resolve(*g_, floatx_); });
}

void Model::check_parameters(const std::string& name, const distributions::Family& f,
                             const distributions::Params& p) {
  check_fixed_parameters(name, f, p);
}

Tensor Model::rv(const std::string& name, const distributions::Distribution& d,
                 const RvOptions& o) {
  claim(name);
  const distributions::Family& f = d.family();
  distributions::Params p = resolve(name, d);
  const bool discrete = f.is_discrete(p);
  if (discrete && f.event_rank > 0)
    throw InputError("variable '" + name + "': " + f.name +
                     " is a multivariate discrete family, which no step method moves (observe it "
                     "instead)");
  if (discrete && o.transform && *o.transform != "none")
    throw InputError("variable '" + name + "': " + f.name +
                     " is discrete; transform= applies to continuous variables only");
  check_fixed_parameters(name, f, p);
  Shape shape = f.shape ? f.shape(p) : batch_shape(name, p);
  if (o.shape) check_fits_in_memory("variable '" + name + "'", *o.shape, floatx_);
  check_fits_in_memory("variable '" + name + "'", shape, floatx_);
  if (o.shape) {
    const auto b = graph::broadcast_shapes(shape, *o.shape);
    if (!b || *b != *o.shape)
      throw InputError("variable '" + name + "': parameters of shape " + graph::shape_str(shape) +
                       " do not broadcast to shape " + graph::shape_str(*o.shape));
    shape = *o.shape;
  }
  if (discrete) return add_discrete(name, f, std::move(p), shape);
  return add_free(name, f, std::move(p), shape, o.transform);
}

Tensor Model::add_discrete(const std::string& name, const distributions::Family& f,
                           distributions::Params p, const Shape& shape) {
  FreeVar v{name, name, &f, std::move(p), shape, shape, nullptr, {}, {}, true};
  v.input = graph::input(*g_, name, DType::i64, shape);
  v.value = v.input;
  // A step method may propose a value outside the support (a Poisson count below 0): -inf there.
  free_checked_.push_back(1);
  const Tensor value = v.value;
  free_.push_back(std::move(v));
  order_.push_back({Kind::free, free_.size() - 1});
  return value;
}

Tensor Model::add_free(const std::string& name, const distributions::Family& f,
                       distributions::Params p, const Shape& shape,
                       const std::optional<std::string>& transform) {
  FreeVar v{name, name, &f, std::move(p), shape, shape, nullptr, {}, {}};
  v.transform = transform ? named_transform(name, *transform, v.params)
                          : (f.transform ? f.transform(v.params) : nullptr);
  if (v.transform) {
    v.value_name = transforms::value_name(name, *v.transform);
    claim(v.value_name);
    v.unconstrained_shape =
        for_variable(name, [&] { return v.transform->unconstrained_shape(shape); });
  }
  v.input = graph::input(*g_, v.value_name, floatx_, v.unconstrained_shape);
  v.value =
      for_variable(name, [&] { return v.transform ? v.transform->backward(v.input) : v.input; });
  if (v.value.shape() != shape) v.value = graph::broadcast_to(v.value, shape);
  // Any transform but a bounded family's default can leave its support: -inf there.
  free_checked_.push_back(f.transform && transform ? 1 : 0);
  const Tensor value = v.value;
  free_.push_back(std::move(v));
  order_.push_back({Kind::free, free_.size() - 1});
  return value;
}

Tensor Model::observe(const std::string& name, const distributions::Distribution& d,
                      std::vector<double> values, Shape shape, const ObserveOptions& o) {
  check_fits_in_memory("observed variable '" + name + "'", shape, floatx_);
  if (static_cast<std::int64_t>(values.size()) != graph::numel(shape))
    throw InputError("observed variable '" + name + "': " + std::to_string(values.size()) +
                     " values for shape " + graph::shape_str(shape));
  if (std::any_of(values.begin(), values.end(), [](double x) { return std::isnan(x); })) {
    if (o.shape && *o.shape != shape)
      throw InputError("observed variable '" + name + "': shape= " + graph::shape_str(*o.shape) +
                       " but its data have shape " + graph::shape_str(shape));
    return observe_missing(name, d, values, shape);
  }
  return observe(name, d, graph::constant(*g_, std::move(shape), std::move(values), floatx_), o);
}

Tensor Model::observe(const std::string& name, const distributions::Distribution& d,
                      const Tensor& data, const ObserveOptions& o) {
  if (&data.graph() != g_.get())
    throw InputError("observed variable '" + name + "': its data belong to another model");
  // A constant with NaN entries has missing data, as the values overload's.
  if (data.is_constant()) {
    const std::vector<double>& v = *data.node().attrs.data;
    if (std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); }))
      return observe(name, d, v, data.shape(), o);
  }
  // PyMC takes shape= beside observed= when the two agree; the data's shape is the variable's.
  if (o.shape && *o.shape != data.shape())
    throw InputError("observed variable '" + name + "': shape= " + graph::shape_str(*o.shape) +
                     " but its data have shape " + graph::shape_str(data.shape()));
  claim(name);
  const distributions::Family& f = d.family();
  distributions::Params p = resolve(name, d);
  check_fixed_parameters(name, f, p);
  Tensor value = data.dtype() == floatx_ ? data : graph::cast(data, floatx_);
  const Shape batch = f.shape ? f.shape(p) : batch_shape(name, p);
  const auto b = graph::broadcast_shapes(batch, value.shape());
  if (!b || *b != value.shape())
    throw InputError("observed variable '" + name + "': data of shape " +
                     graph::shape_str(value.shape()) + " but parameters of shape " +
                     graph::shape_str(batch));
  add_observed(name, name, f, std::move(p), value);
  return value;
}

void Model::add_observed(const std::string& name, const std::string& shown,
                         const distributions::Family& f, distributions::Params p,
                         const Tensor& value, const std::vector<std::int64_t>* positions) {
  // Data outside the support is an input error when it is known now.
  const Tensor in = for_variable(shown, [&] { return f.in_support(value, p); });
  bool runtime_check = !fixed(in);
  if (!runtime_check)
    if (auto i = first_false(in)) {
      const std::int64_t at = positions ? (*positions)[static_cast<std::size_t>(*i)] : *i;
      throw InputError("observed variable '" + shown + "': value " +
                       number(fixed(value) ? element(value, *i) : NAN) +
                       (positions || value.size() > 1 ? " at index " + std::to_string(at) : "") +
                       " is outside the support of " + f.name);
    }
  observed_.push_back({name, &f, std::move(p), value});
  observed_checked_.push_back(runtime_check ? 1 : 0);
  order_.push_back({Kind::observed, observed_.size() - 1});
}

Tensor Model::data(const std::string& name, std::vector<double> values, Shape shape,
                   std::optional<DType> dtype) {
  claim(name);
  check_fits_in_memory("data '" + name + "'", shape, dtype.value_or(floatx_));
  if (static_cast<std::int64_t>(values.size()) != graph::numel(shape))
    throw InputError("data '" + name + "': " + std::to_string(values.size()) +
                     " values for shape " + graph::shape_str(shape));
  refuse_missing(name, values);
  Tensor t = graph::input(*g_, name, dtype.value_or(floatx_), std::move(shape));
  data_.push_back({name, t, std::move(values)});
  return t;
}

void Model::set_data(const std::string& name, std::vector<double> values) {
  for (DataVar& d : data_)
    if (d.name == name) {
      if (static_cast<std::int64_t>(values.size()) != d.input.size())
        throw InputError("data '" + name + "' has " + std::to_string(d.input.size()) +
                         " values; got " + std::to_string(values.size()));
      refuse_missing(name, values);
      d.values = std::move(values);
      return;
    }
  throw InputError("no data container '" + name + "'");
}

Tensor Model::deterministic(const std::string& name, const Tensor& value) {
  claim(name);
  det_.emplace_back(name, value);
  return value;
}

void Model::potential(const std::string& name, const Tensor& value) {
  claim(name);
  if (value.dtype() != DType::f64 && value.dtype() != DType::f32)
    throw InputError("potential '" + name + "' must be a float expression");
  pot_.emplace_back(name, value);
  order_.push_back({Kind::potential, pot_.size() - 1});
}

Tensor Model::term(const distributions::Family& f, const distributions::Params& p,
                   const Tensor& value, bool check_support, bool elementwise) const {
  // The conditions that can fail while sampling, as one scalar: where one fails, log p is -inf
  // (not the NaN that log(sigma < 0) would make of it). Unsummed, a condition of the log
  // density's own shape applies element by element instead.
  Tensor lp = f.logp(value, p);
  const Tensor minus_inf = graph::scalar_like(lp, -std::numeric_limits<double>::infinity());
  std::optional<Tensor> ok;
  const auto require = [&](const Tensor& cond) {
    if (elementwise && cond.shape() == lp.shape()) {
      lp = graph::where(cond, lp, minus_inf);
      return;
    }
    const Tensor c = all_of(cond, floatx_);
    ok = ok ? graph::logical_and(*ok, c) : c;
  };
  if (f.param_conditions)
    for (const distributions::Condition& c : f.param_conditions(p))
      if (!fixed(c.holds)) require(c.holds);
  if (check_support) require(f.in_support(value, p));
  if (!elementwise) lp = graph::sum(lp);
  if (!ok) return lp;
  return graph::where(*ok, lp, minus_inf);
}

std::vector<Model::TermParts> Model::term_parts(bool jacobian, bool elementwise) const {
  std::vector<TermParts> out;
  for (const auto& [kind, i] : order_) {
    if (kind == Kind::free) {
      const FreeVar& v = free_[i];
      const Tensor value = v.discrete ? graph::cast(v.value, floatx_) : v.value;
      TermParts t{v.name, {term(*v.family, v.params, value, free_checked_[i] != 0, elementwise)}};
      if (jacobian && v.transform) t.parts.push_back(v.transform->log_jac_det(v.input));
      out.push_back(std::move(t));
    } else if (kind == Kind::observed) {
      const ObservedVar& v = observed_[i];
      out.push_back(
          {v.name, {term(*v.family, v.params, v.value, observed_checked_[i] != 0, elementwise)}});
    } else {
      out.push_back({pot_[i].first, {pot_[i].second}});
    }
  }
  return out;
}

std::vector<std::pair<std::string, Tensor>> Model::terms(bool jacobian) const {
  std::vector<std::pair<std::string, Tensor>> out;
  const auto summed = [](const Tensor& part) {
    return part.shape().empty() ? part : graph::sum(part);
  };
  for (const TermParts& t : term_parts(jacobian, false)) {
    Tensor total = summed(t.parts.front());
    for (std::size_t k = 1; k < t.parts.size(); ++k) total = total + summed(t.parts[k]);
    out.emplace_back(t.name, total);
  }
  return out;
}

Tensor Model::logp(bool jacobian) const {
  Tensor total = graph::constant(*g_, 0.0, floatx_);
  for (const auto& [name, t] : terms(jacobian)) total = total + t;
  return total;
}

Layout Model::layout() const {
  Layout l;
  for (const FreeVar& v : free_) {
    VarSlot s;
    s.name = v.name;
    s.value_name = v.value_name;
    s.transform = v.transform ? v.transform->name() : "";
    s.offset = l.dim;
    s.size = graph::numel(v.unconstrained_shape);
    s.shape = v.shape;
    s.unconstrained_shape = v.unconstrained_shape;
    s.discrete = v.discrete;
    l.dim += s.size;
    l.vars.push_back(std::move(s));
  }
  return l;
}

LogDensity Model::compile(const CompileOptions& o) const {
  return compile_density(logp(o.jacobian), o);
}

LogDensity Model::compile_density(const Tensor& lp, const CompileOptions& o) const {
  if (!lp.valid() || &lp.graph() != g_.get())
    throw InputError("compile_density: the log density belongs to another model");
  if (!lp.shape().empty() || lp.dtype() != floatx_) {
    std::string what = "compile_density: the log density must be a scalar of the model's float ";
    what += "type, not ";
    what += graph::dtype_name(lp.dtype());
    what += " " + graph::shape_str(lp.shape());
    throw InputError(what);
  }
  const Engine engine = engine_for(o);
  const backends::Backend& backend = *engine.backend;
  LogDensity d;
  d.layout_ = layout();
  d.backend_ = backend.name();
  d.floatx_ = floatx_;
  std::vector<Tensor> wrt;
  std::vector<graph::NodeId> inputs, outputs;
  for (const FreeVar& v : free_) {
    if (!v.discrete) wrt.push_back(v.input);
    inputs.push_back(v.input.id());
  }
  for (const DataVar& v : data_) {
    inputs.push_back(v.input.id());
    d.data_.push_back(
        {v.name, v.input.dtype(), v.input.size(), typed_buffer(v.input.dtype(), v.values)});
  }
  outputs.push_back(lp.id());
  for (const Tensor& gr : autodiff::grad(lp, wrt)) outputs.push_back(gr.id());
  // Discrete values hold still along a gradient method's trajectory (Note [steady inputs]).
  backends::CompileOptions options = engine.options;
  for (const FreeVar& v : free_) options.steady.push_back(v.discrete ? 1 : 0);
  d.exe_ = backends::compile(backend, *g_, inputs, outputs, options);
  return d;
}

ValueFunction Model::compile_values(const CompileOptions& o) const {
  std::vector<std::pair<std::string, Tensor>> traced;
  for (const FreeVar& v : free_) traced.emplace_back(v.name, v.value);
  traced.insert(traced.end(), det_.begin(), det_.end());
  ValueFunction f = compile_outputs(traced, o);
  for (std::size_t j = free_.size(); j < f.vars_.size(); ++j) f.vars_[j].deterministic = true;
  return f;
}

ValueFunction Model::compile_outputs(const std::vector<std::pair<std::string, Tensor>>& outputs,
                                     const CompileOptions& o) const {
  const Engine engine = engine_for(o);
  ValueFunction f;
  f.layout_ = layout();
  f.floatx_ = floatx_;
  std::vector<graph::NodeId> inputs, ids;
  for (const FreeVar& v : free_) inputs.push_back(v.input.id());
  for (const DataVar& v : data_) {
    inputs.push_back(v.input.id());
    f.data_.push_back(typed_buffer(v.input.dtype(), v.values));
  }
  for (const auto& [name, t] : outputs) {
    const Tensor out = t.dtype() == DType::f64 ? t : graph::cast(t, DType::f64);
    ids.push_back(out.id());
    f.vars_.push_back({name, t.shape(), f.size_, false});
    f.size_ += t.size();
  }
  f.exe_ = backends::compile(*engine.backend, *g_, inputs, ids, engine.options);
  return f;
}

std::vector<double> Model::initial_point() const {
  // Support points may depend on earlier variables (Normal(mu, 1) starts at mu's start), so the
  // variables are placed in order, each evaluated at the points of those before it.
  const backends::Backend& native = backends::get_backend("native");
  std::vector<double> point;
  std::vector<std::vector<std::uint64_t>> buffers;
  std::vector<graph::NodeId> inputs;
  std::vector<const void*> in;
  for (const DataVar& v : data_) {
    inputs.push_back(v.input.id());
    buffers.push_back(typed_buffer(v.input.dtype(), v.values));
    in.push_back(buffers.back().data());
  }
  for (const FreeVar& v : free_) {
    Tensor sp = v.family->support_point(v.params);
    if (sp.shape() != v.shape) sp = graph::broadcast_to(sp, v.shape);
    const Tensor y = v.transform ? v.transform->forward(sp) : sp;
    const graph::NodeId out_id[] = {y.id()};
    const auto exe = backends::compile(native, *g_, inputs, out_id);
    auto ws = exe->make_workspace();
    std::vector<std::uint64_t> out =
        typed_buffer(floatx_, std::vector<double>(static_cast<std::size_t>(y.size())));
    void* outs[] = {out.data()};
    exe->run(*ws, in, outs);
    std::vector<double> values(static_cast<std::size_t>(y.size()));
    for (std::size_t k = 0; k < values.size(); ++k)
      values[k] = floatx_ == DType::f64 ? reinterpret_cast<const double*>(out.data())[k]
                                        : reinterpret_cast<const float*>(out.data())[k];
    // A support point the transform maps to infinity (equal means under `ordered`, say) starts
    // at the unconstrained origin instead; a discrete one is an integer.
    for (double& x : values) {
      if (!std::isfinite(x)) x = 0.0;
      if (v.discrete) x = std::round(x);
    }
    point.insert(point.end(), values.begin(), values.end());
    inputs.push_back(v.input.id());
    buffers.push_back(typed_buffer(v.discrete ? DType::i64 : floatx_, values));
    in.push_back(buffers.back().data());
  }
  return point;
}

}  // namespace stochos::model
