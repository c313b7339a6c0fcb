// InverseGamma(alpha, beta = 1 | mu, sigma): positive reals, the log transform; the conjugate
// prior of a normal variance.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& inverse_gamma_family() {
  static const Family f{
      .name = "InverseGamma",
      .positional = {"alpha", "beta", "mu", "sigma"},
      .keywords = {"alpha", "beta", "mu", "sigma"},
      .resolve =
          [](const Bound& b) {
            Params p;
            if (b.has("mu") || b.has("sigma")) {
              if (b.has("alpha") || b.has("beta"))
                throw InputError("InverseGamma: give alpha (and beta), or mu and sigma");
              // PyMC's: alpha = mu^2 / sigma^2 + 2, beta = mu (mu^2 / sigma^2 + 1). The sign of
              // sigma carries into alpha so that a negative sigma fails alpha > 0, as in PyMC.
              const Tensor mu = b.get("mu"), sigma = b.get("sigma");
              const Tensor r = square(mu / sigma);
              p.set("alpha", (r + 2.0) * sign(sigma));
              p.set("beta", mu * (r + 1.0));
              return p;
            }
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta", 1.0));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"];
            return a * log(b) - lgamma(a) - (a + 1.0) * log(x) - b / x;
          },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"alpha", "beta"});
          },
      .in_support = positive_support,
      .transform = log_default,
      // PyMC's: the mean where it exists (alpha > 1), else the mode.
      .support_point =
          [](const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"];
            return where(greater(a, scalar_like(a, 1.0)), b / (a - 1.0), b / (a + 1.0));
          },
      .draw = [](Rng& rng,
                 const ScalarParams& v) { return v["beta"] / standard_gamma(rng, v["alpha"]); },
  };
  return f;
}

Distribution InverseGamma(Arg alpha, Arg beta) {
  return Distribution(inverse_gamma_family(), {{"", std::move(alpha)}, {"", std::move(beta)}});
}

}  // namespace stochos::distributions
