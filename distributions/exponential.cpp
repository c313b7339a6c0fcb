// Exponential(lam) or Exponential(scale = 1 / lam).
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& exponential_family() {
  static const Family f{
      .name = "Exponential",
      .positional = {"lam"},
      .keywords = {"lam", "scale"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("lam", value_or_inverse(b, "Exponential", "lam", "scale", std::nullopt));
            return p;
          },
      .logp = [](const Tensor& x, const Params& p) { return log(p["lam"]) - p["lam"] * x; },
      .param_conditions = [](const Params& p) { return positive_params(p, {"lam"}); },
      .in_support = nonnegative_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return 1.0 / p["lam"]; },
      .draw = [](Rng& rng, const ScalarParams& p) { return -std::log(uniform01(rng)) / p[0]; },
  };
  return f;
}

Distribution Exponential(Arg lam) {
  return Distribution(exponential_family(), {{"", std::move(lam)}});
}

}  // namespace stochos::distributions
