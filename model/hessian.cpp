#include "model/hessian.hpp"

#include <algorithm>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

Hessian compile_hessian(const Model& m, const CompileOptions& o) {
  refuse_discrete(m.layout(), "the Hessian (Laplace)");
  if (m.free_vars().empty()) throw InputError("the model has no free variables: no Hessian");
  const Engine engine = engine_for(o);
  Hessian h;
  h.layout_ = m.layout();
  h.floatx_ = m.floatx();
  graph::Graph& g = m.free_vars().front().input.graph();
  // Inputs: the free variables, then one direction per variable (shaped like it), then data.
  std::vector<Tensor> wrt, dirs;
  std::vector<graph::NodeId> inputs, outputs;
  for (const FreeVar& v : m.free_vars()) {
    wrt.push_back(v.input);
    inputs.push_back(v.input.id());
  }
  for (const FreeVar& v : m.free_vars()) {
    dirs.push_back(
        graph::input(g, v.value_name + "_direction__", v.input.dtype(), v.unconstrained_shape));
    inputs.push_back(dirs.back().id());
  }
  for (const DataVar& v : m.data_vars()) {
    inputs.push_back(v.input.id());
    h.data_.push_back(typed_buffer(v.input.dtype(), v.values));
  }
  const Tensor lp = m.logp(o.jacobian);
  const std::vector<Tensor> grads = autodiff::grad(lp, wrt);
  Tensor gv = graph::constant(g, 0.0, m.floatx());
  for (std::size_t i = 0; i < grads.size(); ++i) gv = gv + graph::sum(grads[i] * dirs[i]);
  outputs.push_back(lp.id());
  for (const Tensor& t : grads) outputs.push_back(t.id());
  for (const Tensor& t : autodiff::grad(gv, wrt)) outputs.push_back(t.id());
  h.exe_ = backends::compile(*engine.backend, g, inputs, outputs, engine.options);
  return h;
}

std::unique_ptr<HessianWorkspace> Hessian::make_workspace() const {
  auto ws = std::make_unique<HessianWorkspace>();
  const std::size_t nv = layout_.vars.size(), n = static_cast<std::size_t>(layout_.dim);
  ws->engine = exe_->make_workspace();
  ws->in.assign(2 * nv + data_.size(), nullptr);
  for (std::size_t k = 0; k < data_.size(); ++k) ws->in[2 * nv + k] = data_[k].data();
  ws->out.assign(1 + 2 * nv, nullptr);
  ws->v.assign(n, 0.0);
  ws->hv.assign(n, 0.0);
  ws->grad.assign(n, 0.0);
  if (floatx_ == graph::DType::f32) {
    ws->theta32.assign(n, 0.0f);
    ws->v32.assign(n, 0.0f);
    ws->hv32.assign(n, 0.0f);
    ws->grad32.assign(n, 0.0f);
  }
  return ws;
}

double Hessian::product(HessianWorkspace& ws, const double* theta, const double* v,
                        double* hv) const {
  const std::size_t nv = layout_.vars.size();
  if (floatx_ == graph::DType::f32) {
    for (std::size_t k = 0; k < ws.theta32.size(); ++k) {
      ws.theta32[k] = static_cast<float>(theta[k]);
      ws.v32[k] = static_cast<float>(v[k]);
    }
    float logp = 0.0f;
    ws.out[0] = &logp;
    for (std::size_t i = 0; i < nv; ++i) {
      const auto off = static_cast<std::size_t>(layout_.vars[i].offset);
      ws.in[i] = ws.theta32.data() + off;
      ws.in[nv + i] = ws.v32.data() + off;
      ws.out[1 + i] = ws.grad32.data() + off;
      ws.out[1 + nv + i] = ws.hv32.data() + off;
    }
    exe_->run(*ws.engine, ws.in, ws.out);
    for (std::size_t k = 0; k < ws.hv32.size(); ++k) {
      hv[k] = ws.hv32[k];
      ws.grad[k] = ws.grad32[k];
    }
    return logp;
  }
  double logp = 0.0;
  ws.out[0] = &logp;
  for (std::size_t i = 0; i < nv; ++i) {
    const auto off = layout_.vars[i].offset;
    ws.in[i] = theta + off;
    ws.in[nv + i] = v + off;
    ws.out[1 + i] = ws.grad.data() + off;
    ws.out[1 + nv + i] = hv + off;
  }
  exe_->run(*ws.engine, ws.in, ws.out);
  return logp;
}

double Hessian::operator()(HessianWorkspace& ws, const double* theta, double* hessian,
                           double* grad) const {
  const auto n = static_cast<std::size_t>(layout_.dim);
  double logp = 0;
  for (std::size_t j = 0; j < n; ++j) {  // column j: H e_j
    std::fill(ws.v.begin(), ws.v.end(), 0.0);
    ws.v[j] = 1.0;
    logp = product(ws, theta, ws.v.data(), hessian + j * n);
  }
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j + 1; i < n; ++i) {
      const double mean = 0.5 * (hessian[j * n + i] + hessian[i * n + j]);
      hessian[j * n + i] = hessian[i * n + j] = mean;
    }
  if (grad) std::copy(ws.grad.begin(), ws.grad.end(), grad);
  return logp;
}

}  // namespace stochos::model
