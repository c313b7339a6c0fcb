// The traced values of a sampler's draws, as the diagnostics take them.
#pragma once

#include <cstddef>
#include <vector>

#include "diagnostics/diagnostics.hpp"
#include "infer/trace.hpp"
#include "model/model.hpp"

namespace stochos::infer::test {

// Element k of the traced values (the free variables on their constrained space, then the
// deterministics) at every draw, by chain.
inline diagnostics::Chains traced(const model::Model& m, const Trace& r, std::size_t k) {
  const auto values = m.compile_values();
  auto ws = values.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(values.size()));
  diagnostics::Chains c;
  for (const auto& chain : r.chains) {
    std::vector<double> x;
    for (Eigen::Index i = 0; i < chain.draws.rows(); ++i) {
      const Eigen::VectorXd q = chain.draws.row(i).transpose();
      values(*ws, q.data(), out.data());
      x.push_back(out[k]);
    }
    c.push_back(std::move(x));
  }
  return c;
}

}  // namespace stochos::infer::test
