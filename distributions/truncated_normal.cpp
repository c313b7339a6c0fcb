// TruncatedNormal(mu = 0, sigma = 1 | tau, lower=, upper=): a normal restricted to [lower, upper],
// either bound optional (PyMC's keywords). The normaliser is the normal mass between the bounds,
// its log taken stably in either tail; the default transform follows the bounds given.
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A bound that is a constant infinity everywhere is no bound (PyMC's convention), which keeps
// log_ndtr(-inf) and its gradient out of the graph.
bool unbounded(const Tensor& t, double inf) {
  if (!t.is_constant()) return false;
  for (double v : *t.node().attrs.data)
    if (v != inf) return false;
  return true;
}

// log(Phi(b) - Phi(a)) for a < b, standardised. The interval is reflected to lie mostly below 0,
// where log Phi keeps its digits, and the difference is log Phi(hi) + log(1 - Phi(lo) / Phi(hi)).
Tensor log_normal_mass(const Tensor& a, const Tensor& b) {
  const Tensor flip = greater(a + b, scalar_like(a, 0.0));
  const Tensor lo = where(flip, -b, a), hi = where(flip, -a, b);
  const Tensor log_hi = log_ndtr(hi);
  return log_hi + log1mexp(log_ndtr(lo) - log_hi);
}

// Robert (1995): a standard normal draw restricted to [a, c], a > 0 far in the tail, by
// rejection from a shifted exponential (a uniform where the interval is narrow).
double tail_draw(Rng& rng, double a, double c) {
  if ((c - a) * a < 1) {
    for (;;) {
      const double z = a + (c - a) * uniform01(rng);
      if (uniform01(rng) <= std::exp(-0.5 * (z - a) * (z + a))) return z;
    }
  }
  const double rate = 0.5 * (a + std::sqrt(a * a + 4));
  for (;;) {
    const double z = a - std::log(uniform01(rng)) / rate;
    if (z > c) continue;
    if (uniform01(rng) <= std::exp(-0.5 * (z - rate) * (z - rate))) return z;
  }
}

// A standard normal draw restricted to [a, b] (infinite ends allowed).
double standard_truncated_draw(Rng& rng, double a, double b) {
  // Reflect so that the interval lies mostly below 0, where the CDF and its inverse are exact
  // in relative terms; beyond -30 the CDF underflows and rejection takes over.
  if (a + b > 0) return -standard_truncated_draw(rng, -b, -a);
  if (b < -30) return -tail_draw(rng, -b, -a);
  const boost::math::normal_distribution<double> n;
  const double pa = a == -kInf ? 0.0 : boost::math::cdf(n, a);
  const double pb = b == kInf ? 1.0 : boost::math::cdf(n, b);
  const double u = pa + (pb - pa) * uniform01(rng);
  return boost::math::quantile(n, u);
}

}  // namespace

const Family& truncated_normal_family() {
  static const Family f{
      .name = "TruncatedNormal",
      .positional = {"mu", "sigma"},
      .keywords = {"mu", "sigma", "tau", "lower", "upper"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", sigma_or_tau(b, "TruncatedNormal"));
            if (b.has("lower") && !unbounded(b.get("lower"), -kInf)) p.set("lower", b.get("lower"));
            if (b.has("upper") && !unbounded(b.get("upper"), kInf)) p.set("upper", b.get("upper"));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const Tensor &mu = p["mu"], &s = p["sigma"];
            const Tensor lp = -0.5 * square((x - mu) / s) - log(s) - kHalfLog2Pi;
            const bool lower = p.has("lower"), upper = p.has("upper");
            if (lower && upper)
              return lp - log_normal_mass((p["lower"] - mu) / s, (p["upper"] - mu) / s);
            if (lower) return lp - log_ndtr((mu - p["lower"]) / s);
            if (upper) return lp - log_ndtr((p["upper"] - mu) / s);
            return lp;
          },
      .param_conditions =
          [](const Params& p) {
            std::vector<Condition> c{{"sigma > 0", positive(p["sigma"])}};
            if (p.has("lower") && p.has("upper"))
              c.push_back({"lower < upper", less(p["lower"], p["upper"])});
            return c;
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            Tensor in = finite(x);
            if (p.has("lower")) in = logical_and(in, greater_equal(x, p["lower"]));
            if (p.has("upper")) in = logical_and(in, less_equal(x, p["upper"]));
            return in;
          },
      .transform = [](const Params& p) -> std::unique_ptr<transforms::Transform> {
        if (p.has("lower") && p.has("upper"))
          return transforms::interval_transform(p["lower"], p["upper"]);
        if (p.has("lower")) return transforms::lower_bound_transform(p["lower"]);
        if (p.has("upper")) return transforms::upper_bound_transform(p["upper"]);
        return nullptr;
      },
      // PyMC's: the midpoint of two bounds, one unit inside a single bound, else mu.
      .support_point =
          [](const Params& p) {
            const Tensor zero = 0.0 * p["mu"] + 0.0 * p["sigma"];
            if (p.has("lower") && p.has("upper")) return 0.5 * (p["lower"] + p["upper"]) + zero;
            if (p.has("lower")) return p["lower"] + 1.0 + zero;
            if (p.has("upper")) return p["upper"] - 1.0 + zero;
            return p["mu"] + 0.0 * p["sigma"];
          },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            const double mu = v["mu"], s = v["sigma"];
            const double a = v.has("lower") ? (v["lower"] - mu) / s : -kInf;
            const double b = v.has("upper") ? (v["upper"] - mu) / s : kInf;
            return mu + s * standard_truncated_draw(rng, a, b);
          },
  };
  return f;
}

Distribution TruncatedNormal(Arg mu, Arg sigma, std::optional<Arg> lower,
                             std::optional<Arg> upper) {
  std::vector<NamedArg> args{{"", std::move(mu)}, {"", std::move(sigma)}};
  if (lower) args.push_back({"lower", std::move(*lower)});
  if (upper) args.push_back({"upper", std::move(*upper)});
  return Distribution(truncated_normal_family(), std::move(args));
}

}  // namespace stochos::distributions
