// NegativeBinomial(mu, alpha | n, p): overdispersed counts, observed only. PyMC's pairing: the
// dispersion is alpha or n (the same number), the location mu or p = n / (mu + n); each form
// keeps its own parameters, so neither pays for a conversion in digits. lgamma(x + alpha) -
// lgamma(alpha) goes by lgamma_shift, exact for large alpha, so no Poisson switch is needed
// (PyMC switches beyond alpha = 1e10).
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& negative_binomial_family() {
  static const Family f{
      .name = "NegativeBinomial",
      .positional = {"mu", "alpha", "p", "n"},
      .keywords = {"mu", "alpha", "p", "n"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            if (b.has("alpha") == b.has("n"))
              throw InputError("NegativeBinomial: give exactly one of alpha or n");
            if (b.has("mu") == b.has("p"))
              throw InputError("NegativeBinomial: give exactly one of mu or p");
            const Tensor dispersion = b.has("alpha") ? b.get("alpha") : b.get("n");
            Params p;
            if (b.has("mu")) {
              p.set("mu", b.get("mu"));
              p.set("alpha", dispersion);
            } else {
              p.set("n", dispersion);
              p.set("p", b.get("p"));
            }
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            if (p.has("p")) {
              const Tensor &n = p["n"], &q = p["p"];
              return lgamma_shift(n, x) - lgamma(x + 1.0) + n * log(q) + xlog1py(x, -q);
            }
            // alpha log(alpha / (mu + alpha)) + x log(mu / (mu + alpha)), as log1p's.
            const Tensor &mu = p["mu"], &a = p["alpha"];
            return lgamma_shift(a, x) - lgamma(x + 1.0) - a * log1p(mu / a) - x * log1p(a / mu);
          },
      .param_conditions =
          [](const Params& p) {
            if (p.has("p")) {
              const Tensor& q = p["p"];
              return std::vector<Condition>{
                  {"n > 0", positive(p["n"])},
                  {"0 < p <= 1", logical_and(positive(q), less_equal(q, scalar_like(q, 1.0)))}};
            }
            return std::vector<Condition>{{"mu > 0", positive(p["mu"])},
                                          {"alpha > 0", positive(p["alpha"])}};
          },
      .in_support = [](const Tensor& x, const Params&) { return is_count(x); },
      // PyMC's: floor of the mean, mu = n (1 - p) / p.
      .support_point =
          [](const Params& p) {
            return floor_of(p.has("mu") ? p["mu"] + 0.0 * p["alpha"]
                                        : p["n"] * (1.0 - p["p"]) / p["p"]);
          },
      // A Poisson whose rate is Gamma(alpha, mean mu).
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double a = v.has("alpha") ? v["alpha"] : v["n"];
            const double mu = v.has("mu") ? v["mu"] : v["n"] * (1 - v["p"]) / v["p"];
            return poisson_draw(rng, standard_gamma(rng, a) * mu / a);
          },
  };
  return f;
}

Distribution NegativeBinomial(Arg mu, Arg alpha) {
  return Distribution(negative_binomial_family(), {{"", std::move(mu)}, {"", std::move(alpha)}});
}

}  // namespace stochos::distributions
