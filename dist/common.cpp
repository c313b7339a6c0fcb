#include "dist/common.hpp"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "stochos/error.hpp"

namespace stochos::dist {

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

}  // namespace stochos::dist
