// BetaBinomial(alpha, beta, n): successes in n trials whose success probability is
// Beta(alpha, beta); observed only.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& beta_binomial_family() {
  static const Family f{
      .name = "BetaBinomial",
      .positional = {"alpha", "beta", "n"},
      .keywords = {"alpha", "beta", "n"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta"));
            p.set("n", b.get("n"));
            return p;
          },
      // C(n, x) B(x + alpha, n - x + beta) / B(alpha, beta).
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"], &n = p["n"];
            return binomln(n, x) + betaln(x + a, n - x + b) - betaln(a, b);
          },
      .param_conditions =
          [](const Params& p) {
            return std::vector<Condition>{{"alpha > 0", positive(p["alpha"])},
                                          {"beta > 0", positive(p["beta"])},
                                          trials(p["n"])};
          },
      .in_support = [](const Tensor& x, const Params& p) { return successes(x, p["n"]); },
      .support_point =
          [](const Params& p) { return round_of(p["n"] * p["alpha"] / (p["alpha"] + p["beta"])); },
      // The binomial with a Beta(alpha, beta) success probability (a ratio of gammas).
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double g1 = standard_gamma(rng, v["alpha"]), g2 = standard_gamma(rng, v["beta"]);
            return binomial_draw(rng, v["n"], g1 / (g1 + g2));
          },
  };
  return f;
}

Distribution BetaBinomial(Arg alpha, Arg beta, Arg n) {
  return Distribution(beta_binomial_family(),
                      {{"", std::move(alpha)}, {"", std::move(beta)}, {"", std::move(n)}});
}

}  // namespace stochos::distributions
