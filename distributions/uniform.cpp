// Uniform(lower, upper): the interval transform, whose bounds may be other variables.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& uniform_family() {
  static const Family f{
      .name = "Uniform",
      .positional = {"lower", "upper"},
      .keywords = {"lower", "upper"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("lower", b.get("lower", 0.0));
            p.set("upper", b.get("upper", 1.0));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return -log(p["upper"] - p["lower"]) + 0.0 * x; },
      .param_conditions =
          [](const Params& p) {
            return std::vector<Condition>{{"upper > lower", greater(p["upper"], p["lower"])}};
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            return logical_and(greater_equal(x, p["lower"]), less_equal(x, p["upper"]));
          },
      .transform =
          [](const Params& p) { return transforms::interval_transform(p["lower"], p["upper"]); },
      .support_point = [](const Params& p) { return 0.5 * (p["lower"] + p["upper"]); },
      .draw = [](Rng& rng, const ScalarParams& p) { return p[0] + (p[1] - p[0]) * uniform01(rng); },
  };
  return f;
}

Distribution Uniform(Arg lower, Arg upper) {
  return Distribution(uniform_family(), {{"", std::move(lower)}, {"", std::move(upper)}});
}

}  // namespace stochos::distributions
