// ChiSquared(nu): Gamma(nu / 2, 1 / 2), with its own parameter name for messages.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& chi_squared_family() {
  static const Family f{
      .name = "ChiSquared",
      .positional = {"nu"},
      .keywords = {"nu"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("nu", b.get("nu"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor k = 0.5 * p["nu"];
            return (k - 1.0) * log(x) - 0.5 * x - k * kLog2 - lgamma(k);
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"nu"}); },
      .in_support = positive_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return p["nu"]; },  // the mean, as Gamma's
      .draw = [](Rng& rng,
                 const ScalarParams& v) { return 2.0 * standard_gamma(rng, 0.5 * v["nu"]); },
  };
  return f;
}

Distribution ChiSquared(Arg nu) {
  return Distribution(chi_squared_family(), {{"", std::move(nu)}});
}

}  // namespace stochos::distributions
