#include "infer/initial_point.hpp"

#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>

#include "infer/packed_names.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {
constexpr int kInitTries = 100;  // Stan's
}  // namespace

Start find_initial_point(const Objective& f, const model::Layout& layout, double radius,
                         const std::optional<std::vector<double>>& centre, Rng& rng) {
  const Eigen::Index n = layout.dim;
  boost::random::uniform_real_distribution<double> u(-radius, radius);
  Start s;
  s.x = Eigen::VectorXd::Zero(n);
  s.grad = Eigen::VectorXd::Zero(n);
  const int tries = radius > 0 ? kInitTries : 1;
  for (int attempt = 0; attempt < tries; ++attempt) {
    for (Eigen::Index i = 0; i < n; ++i)
      s.x[i] =
          (centre ? (*centre)[static_cast<std::size_t>(i)] : 0.0) + (radius > 0 ? u(rng) : 0.0);
    ++s.tries;
    s.logp = f(s.x, s.grad);
    if (std::isfinite(s.logp) && s.grad.allFinite()) return s;
  }
  s.failure =
      (tries == 1 ? std::string("the log density or its gradient is not finite at the initial "
                                "point")
                  : "no initial point with a finite log density and gradient after " +
                        std::to_string(tries) + " tries") +
      "; at the last one, not finite: " + nonfinite_gradient_variables(layout, s.grad);
  return s;
}

Start initial_point(const Objective& f, const model::Layout& layout, double radius,
                    const std::optional<std::vector<double>>& centre, Rng& rng) {
  Start s = find_initial_point(f, layout, radius, centre, rng);
  if (!s) throw RuntimeError(s.failure);
  return s;
}

}  // namespace stochos::infer
