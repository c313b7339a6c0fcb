// SkewNormal(alpha = 1, mu = 0, sigma = 1 | tau), PyMC's positional order (alpha first):
// 2 phi(z) Phi(alpha z) / sigma, with log Phi as log_ndtr so the light tail stays finite.
#include <cmath>
#include <numbers>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& skew_normal_family() {
  static const Family f{
      .name = "SkewNormal",
      .positional = {"alpha", "mu", "sigma", "tau"},
      .keywords = {"alpha", "mu", "sigma", "tau"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", sigma_or_tau(b, "SkewNormal"));
            p.set("alpha", b.get("alpha", 1.0));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor z = (x - p["mu"]) / p["sigma"];
            return kLog2 - kHalfLog2Pi - log(p["sigma"]) - 0.5 * square(z) +
                   log_ndtr(p["alpha"] * z);
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"sigma"}); },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      // PyMC's: the mean, mu + sigma sqrt(2 / pi) alpha / sqrt(1 + alpha^2).
      .support_point =
          [](const Params& p) {
            const Tensor& a = p["alpha"];
            return p["mu"] +
                   p["sigma"] * std::sqrt(2 / std::numbers::pi) * a / sqrt(1.0 + square(a));
          },
      // Azzalini's: with delta = alpha / sqrt(1 + alpha^2), u0 and v standard normal,
      // delta |u0| + sqrt(1 - delta^2) v is a standard skew-normal draw.
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double a = v["alpha"], delta = a / std::sqrt(1 + a * a);
            const double u0 = standard_normal(rng), w = standard_normal(rng);
            const double z = delta * std::abs(u0) + std::sqrt(1 - delta * delta) * w;
            return v["mu"] + v["sigma"] * z;
          },
  };
  return f;
}

Distribution SkewNormal(Arg alpha, Arg mu, Arg sigma) {
  return Distribution(skew_normal_family(),
                      {{"", std::move(alpha)}, {"", std::move(mu)}, {"", std::move(sigma)}});
}

}  // namespace stochos::distributions
