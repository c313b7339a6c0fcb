#include "model/point.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/config.hpp"
#include "backends/registry.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

namespace {

// Runs outputs of the model's graph at theta (and the data), returning each as doubles.
std::vector<std::vector<double>> run(const Model& m, const backends::Backend& b,
                                     const backends::CompileOptions& copts,
                                     const std::vector<double>& theta,
                                     const std::vector<graph::Tensor>& outputs) {
  // The free variables' slots as the compiled log density binds them (float32 and discrete
  // slots converted), then the data.
  std::vector<graph::NodeId> in, out;
  const Layout l = m.layout();
  for (const auto& v : m.free_vars()) in.push_back(v.input.id());
  std::vector<const void*> ptrs(l.vars.size());
  SlotInputs slots(l, m.floatx());
  slots.bind(l, theta.data(), ptrs);
  std::vector<std::vector<std::uint64_t>> buffers;
  for (const auto& d : m.data_vars()) {
    in.push_back(d.input.id());
    buffers.push_back(typed_buffer(d.input.dtype(), d.values));
    ptrs.push_back(buffers.back().data());
  }
  std::vector<std::vector<std::uint64_t>> outs;
  std::vector<void*> optrs;
  for (const auto& t : outputs) {
    const graph::Tensor o = t.dtype() == graph::DType::f64 ? t : graph::cast(t, graph::DType::f64);
    out.push_back(o.id());
    outs.emplace_back(static_cast<std::size_t>(o.size()) + 1);
  }
  for (auto& o : outs) optrs.push_back(o.data());
  const auto exe = backends::compile(b, const_cast<Model&>(m).graph(), in, out, copts);
  auto ws = exe->make_workspace();
  exe->run(*ws, ptrs, optrs);
  std::vector<std::vector<double>> r;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const auto* p = reinterpret_cast<const double*>(outs[k].data());
    r.emplace_back(p, p + outputs[k].size());
  }
  return r;
}

std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

std::vector<double> unconstrain(const Model& m, const std::vector<std::vector<double>>& values) {
  auto& g = const_cast<Model&>(m).graph();
  std::vector<graph::Tensor> forward;
  const auto& vars = m.free_vars();
  if (values.size() != vars.size())
    throw std::logic_error("unconstrain: one value per free variable");
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const auto& v = vars[i];
    if (static_cast<std::int64_t>(values[i].size()) != graph::numel(v.shape))
      throw InputError("'" + v.name + "' needs " + std::to_string(graph::numel(v.shape)) +
                       " values (shape " + graph::shape_str(v.shape) + "), got " +
                       std::to_string(values[i].size()));
    const graph::Tensor x = graph::constant(g, v.shape, values[i], m.floatx());
    if (v.family->in_support && v.transform) {
      const graph::Tensor ok = v.family->in_support(x, v.params);
      forward.push_back(graph::cast(ok, m.floatx()));
    } else {
      forward.push_back(
          graph::constant(g, v.shape, std::vector<double>(values[i].size(), 1.0), m.floatx()));
    }
    forward.push_back(v.transform ? v.transform->forward(x) : x);
  }
  // The support checks and transforms may read earlier variables (interval bounds): evaluate at
  // the point itself, variable by variable.
  std::vector<double> theta;
  const backends::Backend& native = backends::get_backend("native");
  for (std::size_t i = 0; i < vars.size(); ++i) {
    std::vector<double> partial = theta;
    partial.resize(static_cast<std::size_t>(m.layout().dim), 0.0);
    const auto r = run(m, native, {}, partial, {forward[2 * i], forward[2 * i + 1]});
    for (std::size_t k = 0; k < r[0].size(); ++k)
      if (r[0][k] == 0.0)
        throw InputError("'" + vars[i].name + "' = " + shortest(values[i][k]) +
                         (r[0].size() > 1 ? " at index " + std::to_string(k) : "") +
                         " is outside the support of " + vars[i].family->name);
    theta.insert(theta.end(), r[1].begin(), r[1].end());
  }
  return theta;
}

PointResult evaluate_point(const Model& m, const std::vector<double>& theta, bool jacobian,
                           const CompileOptions& o) {
  const Engine engine = engine_for(o);
  const backends::Backend& b = *engine.backend;
  const backends::CompileOptions& copts = engine.options;

  const auto terms = m.terms(jacobian);
  const graph::Tensor total = m.logp(jacobian);
  std::vector<graph::Tensor> wrt;
  for (const auto& v : m.free_vars()) wrt.push_back(jacobian ? v.input : v.value);
  std::vector<graph::Tensor> outputs = {total};
  for (const auto& [name, t] : terms) outputs.push_back(t);
  // In the constrained values, each is held fixed while another moves, even where one bounds
  // another (Uniform(0, 1 - alpha1)): a partial gradient.
  for (const auto& gr : jacobian ? autodiff::grad(total, wrt) : autodiff::partial_grad(total, wrt))
    outputs.push_back(gr);
  const auto r = run(m, b, copts, theta, outputs);
  PointResult p;
  p.logp = r[0][0];
  for (std::size_t k = 0; k < terms.size(); ++k) p.terms.emplace_back(terms[k].first, r[1 + k][0]);
  for (std::size_t k = 0; k < wrt.size(); ++k) {
    const auto& v = m.free_vars()[k];
    p.grad.emplace_back(jacobian ? v.value_name : v.name, r[1 + terms.size() + k]);
  }
  return p;
}

}  // namespace stochos::model
