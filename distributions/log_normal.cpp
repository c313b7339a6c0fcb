// LogNormal(mu, sigma | tau): positive reals whose log is Normal(mu, sigma); the log transform.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& log_normal_family() {
  static const Family f{
      .name = "LogNormal",
      .positional = {"mu", "sigma"},
      .keywords = {"mu", "sigma", "tau"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", sigma_or_tau(b, "LogNormal"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor lx = log(x);
            return -0.5 * square((lx - p["mu"]) / p["sigma"]) - log(p["sigma"]) - kHalfLog2Pi - lx;
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"sigma"}); },
      .in_support = positive_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return exp(p["mu"] + 0.5 * square(p["sigma"])); },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return std::exp(v["mu"] + v["sigma"] * standard_normal(rng));
          },
  };
  return f;
}

Distribution LogNormal(Arg mu, Arg sigma) {
  return Distribution(log_normal_family(), {{"", std::move(mu)}, {"", std::move(sigma)}});
}

}  // namespace stochos::distributions
