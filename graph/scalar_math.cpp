#include "graph/scalar_math.hpp"

#include <math.h>  // lgamma_r

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace stochos::graph::scalar {
namespace {

// Poles and domain errors give inf/NaN rather than throwing: the sampler treats a non-finite
// density as a rejected proposal.
using Quiet = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>>;

}  // namespace

double lgamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}
float lgamma(float x) {
  int sign = 0;
  return ::lgammaf_r(x, &sign);
}

double digamma(double x) {
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
  return boost::math::digamma(x, Quiet());
}
float digamma(float x) {
  return static_cast<float>(digamma(static_cast<double>(x)));
}

double trigamma(double x) {
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::infinity();
  return boost::math::trigamma(x, Quiet());
}
float trigamma(float x) {
  return static_cast<float>(trigamma(static_cast<double>(x)));
}

double log_ndtr(double x) {
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  if (x > 6.0) return std::log1p(-0.5 * std::erfc(x * kInvSqrt2));
  if (x > -20.0) return std::log(0.5 * std::erfc(-x * kInvSqrt2));
  // Asymptotic series of Mills' ratio: log Phi(x) = -x^2/2 - log(-x) - log(2 pi)/2
  //   + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - ...); at x <= -20 five terms reach 1e-17.
  const double z = 1.0 / (x * x);
  const double series =
      1.0 - z * (1.0 - 3.0 * z * (1.0 - 5.0 * z * (1.0 - 7.0 * z * (1.0 - 9.0 * z))));
  return -0.5 * x * x - std::log(-x) - 0.91893853320467274178 + std::log(series);
}
float log_ndtr(float x) {
  return static_cast<float>(log_ndtr(static_cast<double>(x)));
}

}  // namespace stochos::graph::scalar
