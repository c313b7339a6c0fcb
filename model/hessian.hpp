// The Hessian of the packed unconstrained log density, from the graph's symbolic second
// derivatives (MAP's curvature, Laplace's covariance): one compiled Hessian-vector product,
// d/dtheta (grad log p . v) with v an input, run once per column. Compiling one product and
// running it dim() times keeps the graph the size of two gradient passes whatever the
// dimension, where dim() separate gradient-of-gradient outputs would grow with it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/backend.hpp"
#include "model/log_density.hpp"

namespace stochos::model {

class Model;

class HessianWorkspace {
 public:
  std::unique_ptr<backends::Workspace> engine;
  std::vector<const void*> in;
  std::vector<void*> out;
  std::vector<double> v, hv, grad;                // the packed direction, product and gradient
  std::vector<float> theta32, v32, hv32, grad32;  // float32 models: converted copies
};

class Hessian {
 public:
  std::int64_t dim() const { return layout_.dim; }
  const Layout& layout() const { return layout_; }
  std::unique_ptr<HessianWorkspace> make_workspace() const;
  // H v at theta (dim() entries each); returns log p. Thread-safe with one workspace per thread.
  double product(HessianWorkspace& ws, const double* theta, const double* v, double* hv) const;
  // The dim() x dim() Hessian at theta, symmetrised (H + H') / 2 against rounding; returns
  // log p, and writes the gradient when `grad` is not null.
  double operator()(HessianWorkspace& ws, const double* theta, double* hessian,
                    double* grad = nullptr) const;

 private:
  friend Hessian compile_hessian(const Model& m, const CompileOptions& o);
  std::shared_ptr<const backends::Executable> exe_;
  graph::DType floatx_ = graph::DType::f64;
  Layout layout_;
  std::vector<std::vector<std::uint64_t>> data_;
};

// Compiles the Hessian of m's log density, with the transforms' log-Jacobians when o.jacobian
// (as the LogDensity it goes with). The data are the model's at this call. InputError when the
// model has no free variables.
Hessian compile_hessian(const Model& m, const CompileOptions& o = {});

}  // namespace stochos::model
