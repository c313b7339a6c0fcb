// DiscreteUniform(lower, upper): each whole number in [lower, upper] equally likely; the bounds
// are floored, as PyMC does. Observed only.
#include <boost/random/uniform_int_distribution.hpp>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& discrete_uniform_family() {
  static const Family f{
      .name = "DiscreteUniform",
      .positional = {"lower", "upper"},
      .keywords = {"lower", "upper"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("lower", floor_of(b.get("lower")));
            p.set("upper", floor_of(b.get("upper")));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return -log(p["upper"] - p["lower"] + 1.0) + 0.0 * x; },
      .param_conditions =
          [](const Params& p) {
            return std::vector<Condition>{{"lower <= upper", less_equal(p["lower"], p["upper"])}};
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            return logical_and(is_whole(x), between(x, p["lower"], p["upper"]));
          },
      // PyMC's: the lower middle.
      .support_point =
          [](const Params& p) {
            return maximum(floor_of(0.5 * (p["lower"] + p["upper"])), p["lower"]);
          },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return static_cast<double>(boost::random::uniform_int_distribution<long>(
                static_cast<long>(v["lower"]), static_cast<long>(v["upper"]))(rng));
          },
  };
  return f;
}

Distribution DiscreteUniform(Arg lower, Arg upper) {
  return Distribution(discrete_uniform_family(), {{"", std::move(lower)}, {"", std::move(upper)}});
}

}  // namespace stochos::distributions
