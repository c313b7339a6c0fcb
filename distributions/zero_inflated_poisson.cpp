// ZeroInflatedPoisson(psi, mu): with probability psi a Poisson(mu) count, else a structural 0
// (PyMC's psi is the Poisson share). Observed only.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& zero_inflated_poisson_family() {
  static const Family f{
      .name = "ZeroInflatedPoisson",
      .positional = {"psi", "mu"},
      .keywords = {"psi", "mu"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("psi", b.get("psi"));
            p.set("mu", b.get("mu"));
            return p;
          },
      // A zero: log(1 - psi + psi e^-mu), as a logaddexp that stays exact when both are small.
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &psi = p["psi"], &mu = p["mu"];
            const Tensor zero = logaddexp(log1p(-psi), log(psi) - mu);
            return where(equal(x, scalar_like(x, 0.0)), zero + 0.0 * x,
                         log(psi) + poisson_logp(x, mu));
          },
      .param_conditions =
          [](const Params& p) {
            const Tensor &psi = p["psi"], &mu = p["mu"];
            return std::vector<Condition>{
                {"0 <= psi <= 1", between(psi, scalar_like(psi, 0.0), scalar_like(psi, 1.0))},
                {"mu >= 0", greater_equal(mu, scalar_like(mu, 0.0))}};
          },
      .in_support = [](const Tensor& x, const Params&) { return is_count(x); },
      // PyMC's mixture support point: round(psi floor(mu)).
      .support_point = [](const Params& p) { return round_of(p["psi"] * floor_of(p["mu"])); },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return uniform01(rng) < v["psi"] ? poisson_draw(rng, v["mu"]) : 0.0;
          },
  };
  return f;
}

Distribution ZeroInflatedPoisson(Arg psi, Arg mu) {
  return Distribution(zero_inflated_poisson_family(), {{"", std::move(psi)}, {"", std::move(mu)}});
}

}  // namespace stochos::distributions
