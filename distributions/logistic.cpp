// Logistic(mu = 0, s = 1): log p written with softplus, finite however far x is from mu.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& logistic_family() {
  static const Family f{
      .name = "Logistic",
      .positional = {"mu", "s"},
      .keywords = {"mu", "s"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("s", b.get("s", 1.0));
            return p;
          },
      // p(x) = e^-z / (s (1 + e^-z)^2), z = (x - mu) / s.
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor z = (x - p["mu"]) / p["s"];
            return -z - log(p["s"]) - 2.0 * softplus(-z);
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"s"}); },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point = [](const Params& p) { return p["mu"] + 0.0 * p["s"]; },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double u = uniform01(rng);
            return v["mu"] + v["s"] * (std::log(u) - std::log1p(-u));
          },
  };
  return f;
}

Distribution Logistic(Arg mu, Arg s) {
  return Distribution(logistic_family(), {{"", std::move(mu)}, {"", std::move(s)}});
}

}  // namespace stochos::distributions
