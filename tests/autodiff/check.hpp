// Shared helpers of the autodiff tests: evaluation on the native engine, central finite
// differences, and random points.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "autodiff/grad.hpp"
#include "backends/registry.hpp"
#include "support/evaluate.hpp"

namespace stochos::autodiff::test {

using graph::Tensor;
using testing::Values;

// Evaluates outputs on the native engine. The graph goes to the engine as built (no rewrites),
// so what is checked is the graph autodiff emitted.
inline std::vector<Values> eval(const std::vector<Tensor>& inputs,
                                const std::vector<Values>& values,
                                const std::vector<Tensor>& outputs, bool optimize = false) {
  return testing::evaluate(backends::get_backend("native"), inputs, values, outputs, optimize);
}

inline double eval_scalar(const std::vector<Tensor>& inputs, const std::vector<Values>& values,
                          const Tensor& output) {
  return eval(inputs, values, {output}).at(0).at(0);
}

// Central differences of a scalar `output` with respect to every element of inputs[k].
inline Values fd_gradient(const std::vector<Tensor>& inputs, const std::vector<Values>& values,
                          const Tensor& output, std::size_t k, double h = 1e-5) {
  Values grad(values[k].size());
  for (std::size_t j = 0; j < values[k].size(); ++j) {
    auto plus = values, minus = values;
    plus[k][j] += h;
    minus[k][j] -= h;
    grad[j] = (eval_scalar(inputs, plus, output) - eval_scalar(inputs, minus, output)) / (2 * h);
  }
  return grad;
}

// Central differences of a vector-valued `output` (a gradient, say) with respect to inputs[k]:
// row j is d output / d inputs[k][j].
inline std::vector<Values> fd_jacobian(const std::vector<Tensor>& inputs,
                                       const std::vector<Values>& values, const Tensor& output,
                                       std::size_t k, double h = 1e-5) {
  std::vector<Values> rows;
  for (std::size_t j = 0; j < values[k].size(); ++j) {
    auto plus = values, minus = values;
    plus[k][j] += h;
    minus[k][j] -= h;
    const Values p = eval(inputs, plus, {output})[0];
    const Values m = eval(inputs, minus, {output})[0];
    Values row(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) row[i] = (p[i] - m[i]) / (2 * h);
    rows.push_back(row);
  }
  return rows;
}

// |got - want| <= atol + rtol |want|, element by element, naming the first few mismatches.
inline ::testing::AssertionResult close(const Values& got, const Values& want, double rtol,
                                        double atol, const std::string& what = "") {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << what << ": got " << got.size() << " values, want " << want.size();
  auto failure = ::testing::AssertionFailure();
  int bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool ok =
        std::isfinite(got[i]) && std::abs(got[i] - want[i]) <= atol + rtol * std::abs(want[i]);
    if (!ok && bad++ < 6)
      failure << what << "[" << i << "]: got " << got[i] << ", want " << want[i] << "\n";
  }
  if (bad) return failure << bad << " of " << got.size() << " differ";
  return ::testing::AssertionSuccess();
}

// Tolerances for comparing against central differences with h = 1e-5 on well-scaled functions:
// truncation error ~ h^2 f''' ~ 1e-10, rounding ~ 1e-16 |f| / h ~ 1e-11 |f|.
inline constexpr double kFdRtol = 1e-6;
inline constexpr double kFdAtol = 1e-7;

inline Values uniform(std::mt19937_64& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Values v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// Checks grad(output, inputs[k]) against central differences for every float input k.
inline void expect_gradient_matches_fd(const std::vector<Tensor>& inputs,
                                       const std::vector<Values>& values, const Tensor& output) {
  const std::vector<Tensor> grads = grad(output, inputs);
  const std::vector<Values> got = eval(inputs, values, grads);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (!graph::is_float(inputs[k].dtype())) continue;
    EXPECT_TRUE(close(got[k], fd_gradient(inputs, values, output, k), kFdRtol, kFdAtol,
                      "d/d" + inputs[k].node().attrs.name));
  }
}

}  // namespace stochos::autodiff::test
