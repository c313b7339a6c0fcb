// StudentT(nu, mu, sigma | lam): heavy tails for robust regression.
#include <boost/random/chi_squared_distribution.hpp>
#include <cmath>

#include "dist/common.hpp"

namespace stochos::dist {

using namespace graph;

const Family& student_t_family() {
  static const Family f{
      .name = "StudentT",
      .positional = {"nu", "mu", "sigma"},
      .keywords = {"nu", "mu", "sigma", "lam"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("nu", b.get("nu"));
            p.set("mu", b.get("mu", 0.0));
            // lam is a precision: sigma = lam^(-1/2).
            if (b.has("sigma") && b.has("lam"))
              throw InputError("StudentT: give sigma or lam, not both");
            p.set("sigma", b.has("lam") ? 1.0 / sqrt(b.get("lam")) : b.get("sigma", 1.0));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &nu = p["nu"], &s = p["sigma"];
            const Tensor z = (x - p["mu"]) / s;
            return lgamma(0.5 * (nu + 1.0)) - lgamma(0.5 * nu) - 0.5 * log(nu) - 0.5 * kLogPi -
                   log(s) - 0.5 * (nu + 1.0) * log1p(square(z) / nu);
          },
      .param_conditions =
          [](const Params& p) {
            return std::vector<Condition>{{"nu > 0", positive(p["nu"])},
                                          {"sigma > 0", positive(p["sigma"])}};
          },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point = [](const Params& p) { return p["mu"] + 0.0 * p["nu"] + 0.0 * p["sigma"]; },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double chi2 = boost::random::chi_squared_distribution<double>(v["nu"])(rng);
            return v["mu"] + v["sigma"] * standard_normal(rng) / std::sqrt(chi2 / v["nu"]);
          },
  };
  return f;
}

}  // namespace stochos::dist
