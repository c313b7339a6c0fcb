// Dirichlet(a): vectors on the simplex, sampled through the simplex transform.
#include <boost/random/gamma_distribution.hpp>
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& dirichlet_family() {
  static const Family f{
      .name = "Dirichlet",
      .positional = {"a"},
      .keywords = {"a"},
      .discrete = false,
      .event_rank = 1,
      .shape = [](const Params& p) { return p["a"].shape(); },
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("a", b.get("a"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor& a = p["a"];
            const std::int64_t ax = static_cast<std::int64_t>(std::max(x.rank(), a.rank())) - 1;
            return sum((a - 1.0) * log(x), ax) +
                   lgamma(sum(a, static_cast<std::int64_t>(a.rank()) - 1)) -
                   sum(lgamma(a), static_cast<std::int64_t>(a.rank()) - 1);
          },
      .param_conditions = [](const Params& p) { return positive_params(p, {"a"}); },
      .in_support =
          [](const Tensor& x, const Params&) {
            // Positive parts that sum to one (to rounding).
            const std::int64_t ax = static_cast<std::int64_t>(x.rank()) - 1;
            const Tensor total = sum(x, ax, /*keepdims=*/true);
            const Tensor near_one = less(abs(total - 1.0), scalar_like(x, 1e-8));
            return logical_and(positive(x), logical_and(near_one, finite(x)));
          },
      .transform = [](const Params&) { return transforms::simplex_transform(); },
      .support_point =
          [](const Params& p) {
            const Tensor& a = p["a"];
            return a / sum(a, static_cast<std::int64_t>(a.rank()) - 1, /*keepdims=*/true);
          },
      .draw = nullptr,
      .draw_event =
          [](Rng& rng, const NumericParams& v, std::span<double> out) {
            // Normalised independent Gamma(a_k, 1) draws.
            const std::vector<double>& a = numeric(v, "a");
            double total = 0;
            for (std::size_t k = 0; k < out.size(); ++k) {
              out[k] = boost::random::gamma_distribution<double>(a[k % a.size()], 1.0)(rng);
              total += out[k];
            }
            for (double& x : out) x /= total;
          },
  };
  return f;
}

Distribution Dirichlet(Arg a) {
  return Distribution(dirichlet_family(), {{"", std::move(a)}});
}

}  // namespace stochos::distributions
