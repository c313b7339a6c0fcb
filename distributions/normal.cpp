// Normal and HalfNormal (sigma or tau = 1 / sigma^2).
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& normal_family() {
  static const Family f{
      .name = "Normal",
      .positional = {"mu", "sigma"},
      .keywords = {"mu", "sigma", "tau"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", sigma_or_tau(b, "Normal"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            return -0.5 * square((x - p["mu"]) / p["sigma"]) - log(p["sigma"]) - kHalfLog2Pi;
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"sigma"}); },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .transform = nullptr,
      .support_point = [](const Params& p) { return p["mu"] + 0.0 * p["sigma"]; },
      .draw = [](Rng& rng, const ScalarParams& p) { return p[0] + p[1] * standard_normal(rng); },
  };
  return f;
}

const Family& half_normal_family() {
  static const Family f{
      .name = "HalfNormal",
      .positional = {"sigma"},
      .keywords = {"sigma", "tau"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("sigma", sigma_or_tau(b, "HalfNormal"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            return kLog2 - 0.5 * square(x / p["sigma"]) - log(p["sigma"]) - kHalfLog2Pi;
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"sigma"}); },
      .in_support = nonnegative_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return p["sigma"]; },
      .draw = [](Rng& rng, const ScalarParams& p) { return std::abs(p[0] * standard_normal(rng)); },
  };
  return f;
}

Distribution Normal(Arg mu, Arg sigma) {
  return Distribution(normal_family(), {{"", std::move(mu)}, {"", std::move(sigma)}});
}
Distribution HalfNormal(Arg sigma) {
  return Distribution(half_normal_family(), {{"", std::move(sigma)}});
}

}  // namespace stochos::distributions
