#include "distributions/common.hpp"

#include <boost/random/binomial_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "stochos/error.hpp"

namespace stochos::distributions {

using namespace graph;

Tensor sigma_or_tau(const Bound& b, const std::string& family, double fallback) {
  if (b.has("sigma") && b.has("tau")) throw InputError(family + ": give sigma or tau, not both");
  if (b.has("tau")) return 1.0 / graph::sqrt(b.get("tau"));  // tau is a precision
  return b.get("sigma", fallback);
}

Tensor value_or_inverse(const Bound& b, const std::string& family, const std::string& a,
                        const std::string& b_name, std::optional<double> fallback) {
  if (b.has(a) && b.has(b_name))
    throw InputError(family + ": give " + a + " or " + b_name + ", not both");
  if (b.has(a)) return b.get(a);
  if (b.has(b_name)) return 1.0 / b.get(b_name);
  if (!fallback) throw InputError(family + ": missing parameter '" + a + "' (or '" + b_name + "')");
  return b.get(a, *fallback);
}

Tensor positive(const Tensor& x) {
  return graph::greater(x, graph::scalar_like(x, 0.0));
}

Tensor finite(const Tensor& x) {
  return graph::less(graph::abs(x), graph::scalar_like(x, std::numeric_limits<double>::infinity()));
}

double build_time_constant(const Bound& b, const std::string& family, const std::string& name) {
  const Tensor t = b.get(name);
  if (!t.is_constant() || t.size() != 1)
    throw InputError(family + ": " + name + " must be an integer known when the model is built");
  return (*t.node().attrs.data)[0];
}

std::int64_t constant_int(const Tensor& t) {
  return static_cast<std::int64_t>((*t.node().attrs.data)[0]);
}

std::vector<Condition> positive_params(const Params& p,
                                       std::initializer_list<std::string_view> names) {
  std::vector<Condition> c;
  for (std::string_view n : names) c.push_back({std::string(n) + " > 0", positive(p[n])});
  return c;
}

Tensor positive_support(const Tensor& x, const Params&) {
  return logical_and(positive(x), finite(x));
}

Tensor nonnegative_support(const Tensor& x, const Params&) {
  return logical_and(greater_equal(x, scalar_like(x, 0.0)), finite(x));
}

std::unique_ptr<transforms::Transform> log_default(const Params&) {
  return transforms::log_transform();
}

Tensor between(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  return logical_and(greater_equal(x, lo), less_equal(x, hi));
}

namespace {
// x truncated towards zero; NaN and infinities become 0 and large values are clamped first, so
// the cast never sees a value outside int64.
Tensor trunc_of(const Tensor& x) {
  const Tensor safe = clip(where(finite(x), x, scalar_like(x, 0.0)), -0x1p62, 0x1p62);
  return cast(cast(safe, DType::i64), x.dtype());
}
}  // namespace

Tensor is_whole(const Tensor& x) {
  return logical_and(finite(x), equal(x, trunc_of(x)));
}

Tensor is_count(const Tensor& x) {
  return logical_and(is_whole(x), greater_equal(x, scalar_like(x, 0.0)));
}

Condition trials(const Tensor& n) {
  return {"n >= 0 (a whole number)", is_count(n)};
}
Tensor successes(const Tensor& x, const Tensor& n) {
  return logical_and(is_count(x), less_equal(x, n));
}

Tensor floor_of(const Tensor& x) {
  const Tensor t = trunc_of(x);
  return where(greater(t, x), t - 1.0, t);
}

Tensor round_of(const Tensor& x) {
  return floor_of(x + 0.5);
}

Tensor xlogy(const Tensor& x, const Tensor& y) {
  const Tensor zero = equal(x, scalar_like(x, 0.0));
  return x * log(where(zero, scalar_like(y, 1.0), y));
}

Tensor xlog1py(const Tensor& x, const Tensor& y) {
  const Tensor zero = equal(x, scalar_like(x, 0.0));
  return x * log1p(where(zero, scalar_like(y, 0.0), y));
}

Tensor log1mexp(const Tensor& x) {
  // Near 0, log(-expm1(x)) keeps the digits; far below it, log1p(-exp(x)) does.
  return where(greater(x, scalar_like(x, -kLog2)), log(-expm1(x)), log1p(-exp(x)));
}

Tensor logaddexp(const Tensor& a, const Tensor& b) {
  return maximum(a, b) + softplus(-abs(a - b));
}

Tensor lgamma_shift(const Tensor& a, const Tensor& x) {
  // lgamma(z) = (z - 1/2) log z - z + log(2 pi) / 2 + 1 / (12 z) - O(z^-3); for z > 1e4 the
  // dropped terms are below 3e-15, and the difference of the series needs no cancellation.
  const Tensor big = greater(a, scalar_like(a, 1e4));
  const Tensor safe = where(big, a, scalar_like(a, 1e4));  // the series' branch stays finite
  const Tensor series =
      (safe - 0.5) * log1p(x / safe) + x * log(safe + x) - x - x / (12.0 * safe * (safe + x));
  return where(big, series, lgamma(a + x) - lgamma(a));
}

Tensor binomln(const Tensor& n, const Tensor& k) {
  return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

Tensor betaln(const Tensor& a, const Tensor& b) {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

Tensor poisson_logp(const Tensor& x, const Tensor& mu) {
  return xlogy(x, mu) - mu - lgamma(x + 1.0);
}

double standard_normal(Rng& rng) {
  return boost::random::normal_distribution<double>(0.0, 1.0)(rng);
}

double uniform01(Rng& rng) {
  // (0, 1): the endpoints would give infinities in inverse-CDF draws.
  for (;;) {
    const double u = boost::random::uniform_01<double>()(rng);
    if (u > 0.0) return u;
  }
}

double standard_gamma(Rng& rng, double shape) {
  return boost::random::gamma_distribution<double>(shape, 1.0)(rng);
}

double poisson_draw(Rng& rng, double mu) {
  if (!(mu > 0)) return 0.0;
  return static_cast<double>(boost::random::poisson_distribution<long, double>(mu)(rng));
}

double binomial_draw(Rng& rng, double n, double p) {
  return static_cast<double>(
      boost::random::binomial_distribution<long, double>(static_cast<long>(n), p)(rng));
}

}  // namespace stochos::distributions
