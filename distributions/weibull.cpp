// Weibull(alpha, beta): shape alpha, scale beta; positive reals, the log transform.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& weibull_family() {
  static const Family f{
      .name = "Weibull",
      .positional = {"alpha", "beta"},
      .keywords = {"alpha", "beta"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta"));
            return p;
          },
      // log alpha - log beta + (alpha - 1) log(x / beta) - (x / beta)^alpha, the power as
      // exp(alpha log(x / beta)) so that its gradient in alpha needs no special case.
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"];
            const Tensor lz = log(x) - log(b);
            return log(a) - log(b) + (a - 1.0) * lz - exp(a * lz);
          },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"alpha", "beta"});
          },
      .in_support = positive_support,
      .transform = log_default,
      // PyMC's: the mean, beta Gamma(1 + 1 / alpha).
      .support_point =
          [](const Params& p) { return p["beta"] * exp(lgamma(1.0 + 1.0 / p["alpha"])); },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return v["beta"] * std::pow(-std::log(uniform01(rng)), 1.0 / v["alpha"]);
          },
  };
  return f;
}

Distribution Weibull(Arg alpha, Arg beta) {
  return Distribution(weibull_family(), {{"", std::move(alpha)}, {"", std::move(beta)}});
}

}  // namespace stochos::distributions
