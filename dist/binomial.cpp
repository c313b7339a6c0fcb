// Binomial(n, p | logit_p) and BetaBinomial(alpha, beta, n): successes in n trials, observed only.
// With logit_p the density is written with log_sigmoid, finite for any logit.
#include <boost/random/binomial_distribution.hpp>
#include <cmath>

#include "dist/common.hpp"

namespace stochos::dist {

using namespace graph;

namespace {

// n is a count of trials; x is a count no larger than n.
Condition trials(const Tensor& n) {
  return {"n >= 0 (a whole number)", is_count(n)};
}
Tensor successes(const Tensor& x, const Tensor& n) {
  return logical_and(is_count(x), less_equal(x, n));
}

double binomial_draw(Rng& rng, double n, double p) {
  return static_cast<double>(
      boost::random::binomial_distribution<long, double>(static_cast<long>(n), p)(rng));
}

}  // namespace

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

const Family& beta_binomial_family() {
  static const Family f{
      .name = "BetaBinomial",
      .positional = {"alpha", "beta", "n"},
      .keywords = {"alpha", "beta", "n"},
      .discrete = true,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("alpha", b.get("alpha"));
            p.set("beta", b.get("beta"));
            p.set("n", b.get("n"));
            return p;
          },
      // C(n, x) B(x + alpha, n - x + beta) / B(alpha, beta).
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &a = p["alpha"], &b = p["beta"], &n = p["n"];
            return binomln(n, x) + betaln(x + a, n - x + b) - betaln(a, b);
          },
      .param_conditions =
          [](const Params& p) {
            return std::vector<Condition>{{"alpha > 0", positive(p["alpha"])},
                                          {"beta > 0", positive(p["beta"])},
                                          trials(p["n"])};
          },
      .in_support = [](const Tensor& x, const Params& p) { return successes(x, p["n"]); },
      .support_point =
          [](const Params& p) { return round_of(p["n"] * p["alpha"] / (p["alpha"] + p["beta"])); },
      // The binomial with a Beta(alpha, beta) success probability (a ratio of gammas).
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double g1 = standard_gamma(rng, v["alpha"]), g2 = standard_gamma(rng, v["beta"]);
            return binomial_draw(rng, v["n"], g1 / (g1 + g2));
          },
  };
  return f;
}

Distribution Binomial(Arg n, Arg p) {
  return Distribution(binomial_family(), {{"", std::move(n)}, {"", std::move(p)}});
}
Distribution BetaBinomial(Arg alpha, Arg beta, Arg n) {
  return Distribution(beta_binomial_family(),
                      {{"", std::move(alpha)}, {"", std::move(beta)}, {"", std::move(n)}});
}

}  // namespace stochos::dist
