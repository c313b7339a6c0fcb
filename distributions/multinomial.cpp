// Multinomial(n, p): counts of n trials over the K categories on the last axis of p, observed
// only. n may have batch axes (one per vector of counts); it is kept with a trailing axis of 1 so
// that it broadcasts against the counts and each event of a batch draws with its own n.
#include <boost/random/binomial_distribution.hpp>
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

std::int64_t last_axis(const Tensor& t) {
  return static_cast<std::int64_t>(t.rank()) - 1;
}

Shape value_shape(const Tensor& n, const Tensor& p) {
  if (p.rank() == 0)
    throw InputError(
        "Multinomial: p holds the categories' probabilities on its last axis, which "
        "needs at least one axis");
  const auto s = broadcast_shapes(n.shape(), p.shape());
  if (!s)
    throw InputError("Multinomial: n of shape " +
                     shape_str(Shape(n.shape().begin(), n.shape().end() - 1)) +
                     " does not broadcast with p of shape " + shape_str(p.shape()));
  return *s;
}

}  // namespace

const Family& multinomial_family() {
  static const Family f{
      .name = "Multinomial",
      .positional = {"n", "p"},
      .keywords = {"n", "p"},
      .discrete = true,
      .event_rank = 1,
      .shape = [](const Params& p) { return value_shape(p["n"], p["p"]); },
      .resolve =
          [](const Bound& b) {
            Params p;
            const Tensor n = b.get("n");
            Shape s = n.shape();
            s.push_back(1);
            p.set("n", reshape(n, s));
            p.set("p", b.get("p"));
            value_shape(p["n"], p["p"]);
            return p;
          },
      // log n! - sum_k log x_k! + sum_k x_k log p_k.
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor& n = p["n"];
            const Tensor terms = xlogy(x, p["p"]) - lgamma(x + 1.0);
            return sum(terms, last_axis(terms)) + sum(lgamma(n + 1.0), last_axis(n));
          },
      .param_conditions =
          [](const Params& p) {
            const Tensor& q = p["p"];
            const Tensor total = sum(q, last_axis(q));
            return std::vector<Condition>{
                {"n >= 0 (a whole number)", is_count(p["n"])},
                {"0 <= p <= 1", between(q, scalar_like(q, 0.0), scalar_like(q, 1.0))},
                {"p summing to 1", less(abs(total - 1.0), scalar_like(total, 1e-6))}};
          },
      // Whole counts >= 0 that sum to n.
      .in_support =
          [](const Tensor& x, const Params& p) {
            const Tensor total = sum(x, last_axis(x), /*keepdims=*/true);
            return logical_and(is_count(x), equal(total, p["n"]));
          },
      // floor(n p), the remainder added to the first most probable category: whole counts
      // summing to n (PyMC rounds and adjusts likewise).
      .support_point =
          [](const Params& p) {
            const Tensor& q = p["p"];
            const std::int64_t ax = last_axis(q), k = q.shape().back();
            const Tensor base = floor_of(p["n"] * q);
            const Tensor rest = p["n"] - sum(base, ax, /*keepdims=*/true);
            std::vector<double> idx;
            for (std::int64_t i = 0; i < k; ++i) idx.push_back(static_cast<double>(i));
            const Tensor cats = constant(q.graph(), {k}, std::move(idx), q.dtype());
            const Tensor top = greater_equal(q, max(q, ax, /*keepdims=*/true));
            const Tensor first =
                min(where(top, cats, scalar_like(q, static_cast<double>(k))), ax, true);
            return base + rest * cast(equal(cats, first), q.dtype());
          },
      // Category by category: x_k ~ Binomial(trials left, p_k / probability left).
      .draw_event =
          [](Rng& rng, const NumericParams& v, std::span<double> out) {
            const std::vector<double>& q = numeric(v, "p");
            long left = std::lround(numeric(v, "n").at(0));
            double mass = 1;
            for (std::size_t k = 0; k < out.size(); ++k) {
              const double pk = q[k % q.size()];
              const double share =
                  k + 1 == out.size() || mass <= 0 ? 1.0 : std::min(1.0, pk / mass);
              const long x =
                  left > 0 ? boost::random::binomial_distribution<long, double>(left, share)(rng)
                           : 0;
              out[k] = static_cast<double>(x);
              left -= x;
              mass -= pk;
            }
          },
  };
  return f;
}

Distribution Multinomial(Arg n, Arg p) {
  return Distribution(multinomial_family(), {{"", std::move(n)}, {"", std::move(p)}});
}

}  // namespace stochos::distributions
