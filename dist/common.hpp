// Pieces the distribution files share: constants, PyMC's alternative parameterisations and the
// usual parameter conditions.
#pragma once

#include <numbers>

#include "dist/distribution.hpp"
#include "stochos/error.hpp"

namespace stochos::dist {

inline constexpr double kLogPi = 1.1447298858494002;        // log(pi)
inline constexpr double kHalfLog2Pi = 0.91893853320467274;  // log(2 pi) / 2
inline constexpr double kLog2 = std::numbers::ln2;

// sigma from `sigma` or `tau` (sigma = tau^-1/2), `fallback` when neither is given; both is an
// error naming the family.
Tensor sigma_or_tau(const Bound& b, const std::string& family, double fallback = 1.0);
// The value of `a` or of `b` = 1 / a (Exponential's lam or scale), `fallback` when neither.
Tensor value_or_inverse(const Bound& b, const std::string& family, const std::string& a,
                        const std::string& b_name, std::optional<double> fallback);

// x > 0, as a condition; x is finite (not inf, not NaN).
Tensor positive(const Tensor& x);
Tensor finite(const Tensor& x);

// A draw routine's standard normal and uniform(0, 1) (Boost.Random: the same numbers on every
// platform for a given engine state, unlike std:: distributions).
double standard_normal(Rng& rng);
double uniform01(Rng& rng);

}  // namespace stochos::dist
