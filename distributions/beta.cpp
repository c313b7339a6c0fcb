// Beta(alpha, beta | mu, sigma | mu, nu): (0, 1), the logodds transform.
#include <boost/random/gamma_distribution.hpp>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& beta_family() {
  static const Family f{
      .name = "Beta",
      .positional = {"alpha", "beta"},
      .keywords = {"alpha", "beta", "mu", "sigma", "nu"},
      .resolve =
          [](const Bound& b) {
            Params p;
            if (b.has("alpha") || b.has("beta")) {
              if (b.has("mu") || b.has("sigma") || b.has("nu"))
                throw InputError("Beta: give alpha and beta, or mu with sigma or nu");
              p.set("alpha", b.get("alpha"));
              p.set("beta", b.get("beta"));
              return p;
            }
            const Tensor mu = b.get("mu");
            if (b.has("sigma") == b.has("nu"))
              throw InputError("Beta: with mu, give exactly one of sigma or nu");
            // nu = alpha + beta = mu (1 - mu) / sigma^2 - 1.
            const Tensor nu =
                b.has("nu") ? b.get("nu") : mu * (1.0 - mu) / square(b.get("sigma")) - 1.0;
            p.set("alpha", mu * nu);
            p.set("beta", (1.0 - mu) * nu);
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"];
            return (a - 1.0) * log(x) + (b - 1.0) * log1p(-x) + lgamma(a + b) - lgamma(a) -
                   lgamma(b);
          },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"alpha", "beta"});
          },
      .in_support =
          [](const Tensor& x, const Params&) {
            return logical_and(positive(x), less(x, scalar_like(x, 1.0)));
          },
      .transform = [](const Params&) { return transforms::logodds_transform(); },
      .support_point = [](const Params& p) { return p["alpha"] / (p["alpha"] + p["beta"]); },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double x = boost::random::gamma_distribution<double>(v["alpha"], 1.0)(rng);
            const double y = boost::random::gamma_distribution<double>(v["beta"], 1.0)(rng);
            return x / (x + y);
          },
  };
  return f;
}

Distribution Beta(Arg alpha, Arg beta) {
  return Distribution(beta_family(), {{"", std::move(alpha)}, {"", std::move(beta)}});
}

}  // namespace stochos::distributions
