// Bernoulli(p | logit_p): 0/1 outcomes; with logit_p the density is written with softplus,
// finite for any logit.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& bernoulli_family() {
  static const Family f{
      .name = "Bernoulli",
      .positional = {"p"},
      .keywords = {"p", "logit_p"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            if (b.has("p") == b.has("logit_p"))
              throw InputError("Bernoulli: give exactly one of p or logit_p");
            Params p;
            if (b.has("p"))
              p.set("p", b.get("p"));
            else
              p.set("logit_p", b.get("logit_p"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            if (p.has("logit_p")) {
              // x log sigmoid(l) + (1 - x) log sigmoid(-l) is -softplus(l) at x = 0 and
              // -softplus(-l) at x = 1: one softplus of (1 - 2x) l, exact for either, whose
              // gradient reads the sigmoid of the same array (one exponential for both, Note
              // [multi-output steps] in backends/native/fuse.hpp).
              const Tensor& l = p["logit_p"];
              return -softplus((1.0 - 2.0 * x) * l);
            }
            const Tensor& q = p["p"];
            return where(greater(x, scalar_like(x, 0.5)), log(q), log1p(-q)) + 0.0 * x;
          },
      .param_conditions =
          [](const Params& p) {
            if (p.has("logit_p")) return std::vector<Condition>{};
            const Tensor& q = p["p"];
            return std::vector<Condition>{
                {"0 <= p <= 1", logical_and(greater_equal(q, scalar_like(q, 0.0)),
                                            less_equal(q, scalar_like(q, 1.0)))}};
          },
      .in_support =
          [](const Tensor& x, const Params&) {
            return logical_or(equal(x, scalar_like(x, 0.0)), equal(x, scalar_like(x, 1.0)));
          },
      .support_point =
          [](const Params& p) {
            const Tensor q = p.has("p") ? p["p"] : sigmoid(p["logit_p"]);
            return cast(cast(greater_equal(q, scalar_like(q, 0.5)), DType::i64), q.dtype());
          },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double q = v.has("p") ? v["p"] : 1 / (1 + std::exp(-v["logit_p"]));
            return uniform01(rng) < q ? 1.0 : 0.0;
          },
  };
  return f;
}

Distribution Bernoulli(Arg p) {
  return Distribution(bernoulli_family(), {{"", std::move(p)}});
}

}  // namespace stochos::distributions
