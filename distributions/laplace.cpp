// Laplace(mu, b): the double exponential, the prior behind the lasso.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& laplace_family() {
  static const Family f{
      .name = "Laplace",
      .positional = {"mu", "b"},
      .keywords = {"mu", "b"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu"));
            p.set("b", b.get("b"));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return -kLog2 - log(p["b"]) - abs(x - p["mu"]) / p["b"]; },
      .param_conditions = [](const Params& p) { return positive_params(p, {"b"}); },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point = [](const Params& p) { return p["mu"] + 0.0 * p["b"]; },
      // Inverse CDF, each half from its own side so that no digits cancel.
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double u = uniform01(rng);
            return u < 0.5 ? v["mu"] + v["b"] * std::log(2 * u)
                           : v["mu"] - v["b"] * std::log(2 * (1 - u));
          },
  };
  return f;
}

Distribution Laplace(Arg mu, Arg b) {
  return Distribution(laplace_family(), {{"", std::move(mu)}, {"", std::move(b)}});
}

}  // namespace stochos::distributions
