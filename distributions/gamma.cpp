// Gamma(alpha, beta | mu, sigma): positive reals, the log transform.
#include <boost/random/gamma_distribution.hpp>
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& gamma_family() {
  static const Family f{
      .name = "Gamma",
      .positional = {"alpha", "beta"},
      .keywords = {"alpha", "beta", "mu", "sigma"},
      .resolve =
          [](const Bound& b) {
            Params p;
            if (b.has("mu") || b.has("sigma")) {
              if (b.has("alpha") || b.has("beta"))
                throw InputError("Gamma: give alpha and beta, or mu and sigma");
              // alpha = mu^2 / sigma^2, beta = mu / sigma^2.
              const Tensor mu = b.get("mu"), v = square(b.get("sigma"));
              p.set("alpha", square(mu) / v);
              p.set("beta", mu / v);
              return p;
            }
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"];
            return a * log(b) - lgamma(a) + (a - 1.0) * log(x) - b * x;
          },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"alpha", "beta"});
          },
      .in_support = positive_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return p["alpha"] / p["beta"]; },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return boost::random::gamma_distribution<double>(v["alpha"], 1.0)(rng) / v["beta"];
          },
  };
  return f;
}

Distribution Gamma(Arg alpha, Arg beta) {
  return Distribution(gamma_family(), {{"", std::move(alpha)}, {"", std::move(beta)}});
}
}  // namespace stochos::distributions
