// Binomial(n, p | logit_p): successes in n trials, observed only.
// With logit_p the density is written with log_sigmoid, finite for any logit.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& binomial_family() {
  static const Family f{
      .name = "Binomial",
      .positional = {"n", "p", "logit_p"},
      .keywords = {"n", "p", "logit_p"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            if (b.has("p") == b.has("logit_p"))
              throw InputError("Binomial: give exactly one of p or logit_p");
            Params p;
            p.set("n", b.get("n"));
            if (b.has("p"))
              p.set("p", b.get("p"));
            else
              p.set("logit_p", b.get("logit_p"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor& n = p["n"];
            if (p.has("logit_p")) {
              const Tensor& l = p["logit_p"];
              return binomln(n, x) + x * log_sigmoid(l) + (n - x) * log_sigmoid(-l);
            }
            return binomln(n, x) + xlogy(x, p["p"]) + xlog1py(n - x, -p["p"]);
          },
      .param_conditions =
          [](const Params& p) {
            std::vector<Condition> c{trials(p["n"])};
            if (p.has("p"))
              c.push_back({"0 <= p <= 1",
                           between(p["p"], scalar_like(p["p"], 0.0), scalar_like(p["p"], 1.0))});
            return c;
          },
      .in_support = [](const Tensor& x, const Params& p) { return successes(x, p["n"]); },
      // PyMC's: round(n p).
      .support_point =
          [](const Params& p) {
            return round_of(p["n"] * (p.has("p") ? p["p"] : sigmoid(p["logit_p"])));
          },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double q = v.has("p") ? v["p"] : 1 / (1 + std::exp(-v["logit_p"]));
            return binomial_draw(rng, v["n"], q);
          },
  };
  return f;
}

Distribution Binomial(Arg n, Arg p) {
  return Distribution(binomial_family(), {{"", std::move(n)}, {"", std::move(p)}});
}
}  // namespace stochos::distributions
