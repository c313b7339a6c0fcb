// Geometric(p): the trial of the first success, x = 1, 2, ... (PyMC's; Boost and SciPy count
// failures from 0 or trials from 1 — this is trials). Observed only.
#include <boost/random/geometric_distribution.hpp>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& geometric_family() {
  static const Family f{
      .name = "Geometric",
      .positional = {"p"},
      .keywords = {"p"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("p", b.get("p"));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return log(p["p"]) + xlog1py(x - 1.0, -p["p"]); },
      .param_conditions =
          [](const Params& p) {
            const Tensor& q = p["p"];
            return std::vector<Condition>{
                {"0 < p <= 1", logical_and(positive(q), less_equal(q, scalar_like(q, 1.0)))}};
          },
      .in_support =
          [](const Tensor& x, const Params&) {
            return logical_and(is_whole(x), greater_equal(x, scalar_like(x, 1.0)));
          },
      .support_point = [](const Params& p) { return round_of(1.0 / p["p"]); },
      // Boost counts the failures before the first success.
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            if (v["p"] >= 1) return 1.0;
            return 1.0 + static_cast<double>(
                             boost::random::geometric_distribution<long, double>(v["p"])(rng));
          },
  };
  return f;
}

Distribution Geometric(Arg p) {
  return Distribution(geometric_family(), {{"", std::move(p)}});
}

}  // namespace stochos::distributions
