// Poisson(mu): counts, observed only.
#include <boost/random/poisson_distribution.hpp>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& poisson_family() {
  static const Family f{
      .name = "Poisson",
      .positional = {"mu"},
      .keywords = {"mu"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu"));
            return p;
          },
      // x log mu - mu - log x!; at mu = 0 the count must be 0 (0 log 0 = 0).
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor& mu = p["mu"];
            const Tensor xlogmu =
                where(equal(x, scalar_like(x, 0.0)), scalar_like(x, 0.0) + 0.0 * mu, x * log(mu));
            return xlogmu - mu - lgamma(x + 1.0);
          },
      .param_conditions =
          [](const Params& p) {
            const Tensor& mu = p["mu"];
            return std::vector<Condition>{{"mu >= 0", greater_equal(mu, scalar_like(mu, 0.0))}};
          },
      .in_support =
          [](const Tensor& x, const Params&) {
            return logical_and(
                greater_equal(x, scalar_like(x, 0.0)),
                logical_and(equal(x, cast(cast(x, DType::i64), x.dtype())), finite(x)));
          },
      .support_point =
          [](const Params& p) { return cast(cast(p["mu"], DType::i64), p["mu"].dtype()); },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return v[0] > 0 ? static_cast<double>(
                                  boost::random::poisson_distribution<long, double>(v[0])(rng))
                            : 0.0;
          },
  };
  return f;
}

Distribution Poisson(Arg mu) {
  return Distribution(poisson_family(), {{"", std::move(mu)}});
}

}  // namespace stochos::distributions
