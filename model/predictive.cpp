#include "model/predictive.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <span>

#include "backends/compile.hpp"
#include "backends/registry.hpp"
#include "stochos/error.hpp"

// Note [predictive draws]
// Ancestral sampling needs each variable's parameters at the values drawn before it. The
// parameters are tensors of the model's graph that read the free variables' *unconstrained*
// inputs, so a drawn value goes back through its transform (compiled once per variable, with a
// new input for the constrained value) into the packed point the next variable's parameters are
// evaluated at. Each variable compiles two small functions once, on the native engine; a draw
// is then a few calls, never a compile. A parameter of a univariate family is broadcast to the
// variable's shape in the graph, so draw_elementwise reads element i of each.

namespace stochos::model {
namespace {

using graph::Shape;
using graph::Tensor;

// Outputs of the model's graph as doubles, from a packed unconstrained point, the data, and
// optionally one more input.
class Evaluator {
 public:
  Evaluator(const Model& m, const std::vector<Tensor>& outputs,
            std::optional<Tensor> extra = std::nullopt)
      : floatx_(m.floatx()), layout_(m.layout()) {
    std::vector<graph::NodeId> in, out;
    for (const FreeVar& v : m.free_vars()) in.push_back(v.input.id());
    for (const DataVar& d : m.data_vars()) {
      in.push_back(d.input.id());
      data_.push_back(typed_buffer(d.input.dtype(), d.values));
    }
    if (extra) in.push_back(extra->id());
    for (const Tensor& t : outputs) {
      const Tensor o = t.dtype() == graph::DType::f64 ? t : graph::cast(t, graph::DType::f64);
      out.push_back(o.id());
      sizes_.push_back(static_cast<std::size_t>(t.size()));
    }
    exe_ =
        backends::compile(backends::get_backend("native"), const_cast<Model&>(m).graph(), in, out);
    ws_ = exe_->make_workspace();
  }

  std::vector<std::vector<double>> operator()(const std::vector<double>& theta,
                                              const std::vector<double>* extra = nullptr) {
    std::vector<std::vector<std::uint64_t>> own;
    std::vector<const void*> in;
    for (const VarSlot& s : layout_.vars) {
      const auto first = theta.begin() + static_cast<std::ptrdiff_t>(s.offset);
      own.push_back(typed_buffer(s.discrete ? graph::DType::i64 : floatx_,
                                 std::vector<double>(first, first + s.size)));
    }
    if (extra) own.push_back(typed_buffer(floatx_, *extra));
    for (std::size_t k = 0; k < layout_.vars.size(); ++k) in.push_back(own[k].data());
    for (const auto& d : data_) in.push_back(d.data());
    if (extra) in.push_back(own.back().data());
    std::vector<std::vector<double>> out;
    std::vector<void*> ptrs;
    for (std::size_t n : sizes_) out.emplace_back(n + 1);  // +1: never a zero-size buffer
    for (auto& o : out) ptrs.push_back(o.data());
    exe_->run(*ws_, in, ptrs);
    for (std::size_t k = 0; k < out.size(); ++k) out[k].resize(sizes_[k]);
    return out;
  }

 private:
  graph::DType floatx_;
  Layout layout_;
  std::vector<std::vector<std::uint64_t>> data_;
  std::vector<std::size_t> sizes_;
  std::unique_ptr<backends::Executable> exe_;
  std::unique_ptr<backends::Workspace> ws_;
};

// Multivariate draws event by event: a parameter whose leading axes are the value's batch axes
// gives each event its own slice; any other is shared by every event.
void draw_events(const distributions::Family& f, const distributions::NumericDist& d,
                 const Shape& shape, distributions::Rng& rng, std::span<double> out) {
  if (!f.draw_event) throw InputError(f.name + " has no random draws yet");
  const std::int64_t k = shape.empty() ? 1 : shape.back();
  const std::int64_t events = k == 0 ? 0 : graph::numel(shape) / k;
  const Shape batch(shape.begin(), shape.end() - (shape.empty() ? 0 : 1));
  for (std::int64_t e = 0; e < events; ++e) {
    distributions::NumericParams p;
    for (std::size_t i = 0; i < d.params.size(); ++i) {
      const auto& [name, values] = d.params[i];
      const Shape& s = d.shapes[i];
      const bool batched = events > 1 && s.size() > batch.size() &&
                           std::equal(batch.begin(), batch.end(), s.begin());
      if (!batched) {
        p.emplace_back(name, values);
        continue;
      }
      const auto per = values.size() / static_cast<std::size_t>(events);
      const auto first = values.begin() + static_cast<std::ptrdiff_t>(per * e);
      p.emplace_back(name, std::vector<double>(first, first + static_cast<std::ptrdiff_t>(per)));
    }
    f.draw_event(rng, p, out.subspan(static_cast<std::size_t>(e * k), static_cast<std::size_t>(k)));
  }
}

// One variable's draws: its distribution's numbers at a point, then a value of its shape.
class Drawer {
 public:
  Drawer(const Model& m, std::string name, const distributions::Family& f,
         const distributions::Params& p, Shape shape)
      : name_(std::move(name)), family_(&f), params_(&p), shape_(std::move(shape)) {
    const bool elementwise = !f.draw_value && f.event_rank == 0;
    std::vector<Tensor> needed;
    distributions::numeric_dist(f, p, [&](const Tensor& t) {
      needed.push_back(elementwise && t.shape() != shape_ ? graph::broadcast_to(t, shape_) : t);
      return std::vector<double>();
    });
    eval_.emplace(m, needed);
  }

  std::vector<double> draw(const std::vector<double>& theta, distributions::Rng& rng) {
    const auto values = (*eval_)(theta);
    std::size_t next = 0;
    const distributions::NumericDist d = distributions::numeric_dist(
        *family_, *params_, [&](const Tensor&) { return values.at(next++); });
    std::vector<double> out(static_cast<std::size_t>(graph::numel(shape_)));
    try {
      if (family_->draw_value)
        family_->draw_value(rng, d, shape_, out);
      else if (family_->event_rank == 0)
        distributions::draw_elementwise(rng, d, out);
      else
        draw_events(*family_, d, shape_, rng, out);
    } catch (const InputError& e) {
      throw InputError("cannot draw '" + name_ + "': " + e.what());
    }
    return out;
  }

 private:
  std::string name_;
  const distributions::Family* family_;
  const distributions::Params* params_;
  Shape shape_;
  std::optional<Evaluator> eval_;
};

// A free variable's constrained value -> its slice of the packed unconstrained point.
class Placer {
 public:
  Placer(const Model& m, const FreeVar& v, const VarSlot& slot) : slot_(slot) {
    const Tensor x =
        graph::input(const_cast<Model&>(m).graph(), v.name + "__predictive", m.floatx(), v.shape);
    eval_.emplace(m, std::vector<Tensor>{v.transform ? v.transform->forward(x) : x}, x);
  }
  // False, leaving theta as it was, when the value is outside the transform's image (an
  // unordered draw under `ordered`): the model's prior has no mass there.
  bool place(std::vector<double>& theta, const std::vector<double>& value) {
    const auto u = (*eval_)(theta, &value)[0];
    for (double x : u)
      if (!std::isfinite(x)) return false;
    std::copy(u.begin(), u.end(), theta.begin() + static_cast<std::ptrdiff_t>(slot_.offset));
    return true;
  }

 private:
  VarSlot slot_;
  std::optional<Evaluator> eval_;
};

// A transform's image can be smaller than the distribution's support (`ordered` keeps only
// increasing vectors), and the model's prior is then the distribution restricted to it: draws
// outside it are rejected, as many times as it takes within reason.
void place_prior_draw(const FreeVar& v, Drawer& drawer, Placer& placer, std::vector<double>& theta,
                      distributions::Rng& rng) {
  constexpr int kTries = 1000;
  for (int t = 0; t < kTries; ++t)
    if (placer.place(theta, drawer.draw(theta, rng))) return;
  throw RuntimeError("cannot draw '" + v.name + "' from its prior: " + std::to_string(kTries) +
                     " draws in a row fell outside its transform's image (" +
                     (v.transform ? v.transform->name() : std::string("none")) + ")");
}

void add_variable(PredictiveDraws& p, const std::string& name, const Shape& shape, bool det) {
  p.variables.push_back({name, shape, p.size, det});
  p.size += graph::numel(shape);
}

}  // namespace

std::vector<std::string> PredictiveDraws::column_names() const {
  return element_names(variables);
}

PredictiveDraws prior_predictive(const Model& m, std::int64_t draws, std::uint64_t seed) {
  const Layout layout = m.layout();
  std::vector<Drawer> free_drawers, observed_drawers;
  std::vector<Placer> placers;
  for (std::size_t i = 0; i < m.free_vars().size(); ++i) {
    const FreeVar& v = m.free_vars()[i];
    free_drawers.emplace_back(m, v.name, *v.family, v.params, v.shape);
    placers.emplace_back(m, v, layout.vars[i]);
  }
  for (const ObservedVar& o : m.observed_vars())
    observed_drawers.emplace_back(m, o.name, *o.family, o.params, o.value.shape());
  ValueFunction values = m.compile_values({.backend = "native"});
  auto vws = values.make_workspace();

  PredictiveDraws p;
  for (const TracedVariable& v : values.variables())
    add_variable(p, v.name, v.shape, v.deterministic);
  for (const ObservedVar& o : m.observed_vars()) add_variable(p, o.name, o.value.shape(), false);
  distributions::Rng rng(seed);
  std::vector<double> theta(static_cast<std::size_t>(layout.dim), 0.0), row;
  for (std::int64_t d = 0; d < draws; ++d) {
    for (std::size_t i = 0; i < free_drawers.size(); ++i)
      place_prior_draw(m.free_vars()[i], free_drawers[i], placers[i], theta, rng);
    row.assign(static_cast<std::size_t>(values.size()), 0.0);
    values(*vws, theta.data(), row.data());
    for (auto& od : observed_drawers) {
      const auto y = od.draw(theta, rng);
      row.insert(row.end(), y.begin(), y.end());
    }
    p.values.insert(p.values.end(), row.begin(), row.end());
  }
  return p;
}

PredictiveDraws posterior_predictive(const Model& m,
                                     const std::vector<std::vector<std::vector<double>>>& points,
                                     std::uint64_t seed) {
  const Layout layout = m.layout();
  std::vector<Placer> placers;
  std::vector<Drawer> drawers;
  for (std::size_t i = 0; i < m.free_vars().size(); ++i)
    placers.emplace_back(m, m.free_vars()[i], layout.vars[i]);
  PredictiveDraws p;
  for (const ObservedVar& o : m.observed_vars()) {
    drawers.emplace_back(m, o.name, *o.family, o.params, o.value.shape());
    add_variable(p, o.name, o.value.shape(), false);
  }
  distributions::Rng rng(seed);
  std::vector<double> theta(static_cast<std::size_t>(layout.dim), 0.0);
  std::size_t row = 0;
  for (const auto& point : points) {
    ++row;
    if (point.size() != m.free_vars().size())
      throw InputError("a posterior point needs one value per free variable (" +
                       std::to_string(m.free_vars().size()) + "), got " +
                       std::to_string(point.size()));
    for (std::size_t i = 0; i < placers.size(); ++i) {
      const FreeVar& v = m.free_vars()[i];
      if (static_cast<std::int64_t>(point[i].size()) != graph::numel(v.shape))
        throw InputError("'" + v.name + "' needs " + std::to_string(graph::numel(v.shape)) +
                         " values (shape " + graph::shape_str(v.shape) + "), got " +
                         std::to_string(point[i].size()));
      if (!placers[i].place(theta, point[i]))
        throw InputError("draw " + std::to_string(row) + ": '" + v.name +
                         "' is outside its support or transform");
    }
    for (auto& dr : drawers) {
      const auto y = dr.draw(theta, rng);
      p.values.insert(p.values.end(), y.begin(), y.end());
    }
  }
  return p;
}

}  // namespace stochos::model
