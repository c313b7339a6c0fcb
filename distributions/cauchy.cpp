// Cauchy(alpha, beta) and HalfCauchy(beta).
#include <cmath>
#include <numbers>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {
// tan(pi (u - 1/2)) is a standard Cauchy draw.
double standard_cauchy(Rng& rng) {
  return std::tan(std::numbers::pi * (uniform01(rng) - 0.5));
}
}  // namespace

const Family& cauchy_family() {
  static const Family f{
      .name = "Cauchy",
      .positional = {"alpha", "beta"},
      .keywords = {"alpha", "beta"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            return -kLogPi - log(p["beta"]) - log1p(square((x - p["alpha"]) / p["beta"]));
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"beta"}); },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .transform = nullptr,
      .support_point = [](const Params& p) { return p["alpha"] + 0.0 * p["beta"]; },
      .draw = [](Rng& rng, const ScalarParams& p) { return p[0] + p[1] * standard_cauchy(rng); },
  };
  return f;
}

const Family& half_cauchy_family() {
  static const Family f{
      .name = "HalfCauchy",
      .positional = {"beta"},
      .keywords = {"beta"},
      .discrete = false,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("beta", b.get("beta"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            return kLog2 - kLogPi - log(p["beta"]) - log1p(square(x / p["beta"]));
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"beta"}); },
      .in_support = nonnegative_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return p["beta"]; },
      .draw = [](Rng& rng, const ScalarParams& p) { return std::abs(p[0] * standard_cauchy(rng)); },
  };
  return f;
}

Distribution Cauchy(Arg alpha, Arg beta) {
  return Distribution(cauchy_family(), {{"", std::move(alpha)}, {"", std::move(beta)}});
}
Distribution HalfCauchy(Arg beta) {
  return Distribution(half_cauchy_family(), {{"", std::move(beta)}});
}

}  // namespace stochos::distributions
