// Pieces the distribution files share: constants, PyMC's alternative parameterisations and the
// usual parameter conditions.
#pragma once

#include <initializer_list>
#include <memory>
#include <numbers>
#include <string_view>
#include <vector>

#include "distributions/distribution.hpp"
#include "stochos/error.hpp"

namespace stochos::distributions {

inline constexpr double kLogPi = 1.1447298858494002;        // log(pi)
inline constexpr double kHalfLog2Pi = 0.91893853320467274;  // log(2 pi) / 2
inline constexpr double kLog2 = std::numbers::ln2;

// sigma from `sigma` or `tau` (sigma = tau^-1/2), `fallback` when neither is given; both is an
// error naming the family.
Tensor sigma_or_tau(const Bound& b, const std::string& family, double fallback = 1.0);
// The value of `a` or of `b` = 1 / a (Exponential's lam or scale), `fallback` when neither.
Tensor value_or_inverse(const Bound& b, const std::string& family, const std::string& a,
                        const std::string& b_name, std::optional<double> fallback);

// x > 0, as a condition; x is finite (not inf, not NaN); lo <= x <= hi.
Tensor positive(const Tensor& x);
Tensor finite(const Tensor& x);
Tensor between(const Tensor& x, const Tensor& lo, const Tensor& hi);
// "name > 0" for each named parameter: the conditions of scale and shape parameters.
std::vector<Condition> positive_params(const Params& p,
                                       std::initializer_list<std::string_view> names);
// Supports of positive families, as Family::in_support: x > 0 and finite; x >= 0 and finite.
Tensor positive_support(const Tensor& x, const Params&);
Tensor nonnegative_support(const Tensor& x, const Params&);
// The log transform, as Family::transform.
std::unique_ptr<transforms::Transform> log_default(const Params&);

// The value of parameter `name`, which must be one number known when the model is built (an
// order, a matrix side): InputError naming the family otherwise. Callers check its range.
double build_time_constant(const Bound& b, const std::string& family, const std::string& name);
// The integer held by a build-time constant scalar (one build_time_constant accepted).
std::int64_t constant_int(const Tensor& t);

// A finite whole number; one that is also >= 0 (a count).
Tensor is_whole(const Tensor& x);
Tensor is_count(const Tensor& x);
// Successes in n trials (Binomial, BetaBinomial): n is a count of trials; x is a count no
// larger than n.
Condition trials(const Tensor& n);
Tensor successes(const Tensor& x, const Tensor& n);

// floor(x) and round(x) (halves up) for finite x: the graph has no rounding op, so these go
// through an integer cast (exact for |x| < 2^62).
Tensor floor_of(const Tensor& x);
Tensor round_of(const Tensor& x);

// x log(y) and x log1p(y), 0 where x = 0 whatever y is (0 log 0 = 0); the where sits inside the
// log, so the gradient with respect to y is 0 there rather than the NaN of 0 / 0.
Tensor xlogy(const Tensor& x, const Tensor& y);
Tensor xlog1py(const Tensor& x, const Tensor& y);
// log(1 - exp(x)) for x <= 0 (Maechler's switch at -log 2); log(exp(a) + exp(b)).
Tensor log1mexp(const Tensor& x);
Tensor logaddexp(const Tensor& a, const Tensor& b);
// lgamma(a + x) - lgamma(a), x >= 0: by Stirling's series where a is large (> 1e4), since the
// difference of two lgammas of size a log a loses their digits there.
Tensor lgamma_shift(const Tensor& a, const Tensor& x);
// log of the binomial coefficient and of the beta function, by lgamma.
Tensor binomln(const Tensor& n, const Tensor& k);
Tensor betaln(const Tensor& a, const Tensor& b);
// The Poisson log mass x log mu - mu - log x! (Poisson, NegativeBinomial's limit, ZIP).
Tensor poisson_logp(const Tensor& x, const Tensor& mu);

// Mixtures (Mixture, NormalMixture): logsumexp_k(log w_k + component_logps_k), the components on
// the last axis of both; the conditions on the weights.
Tensor mixture_logp(const Tensor& w, const Tensor& component_logps);
std::vector<Condition> weight_conditions(const Tensor& w);

// A draw routine's standard normal and uniform(0, 1) (Boost.Random: the same numbers on every
// platform for a given engine state, unlike std:: distributions).
double standard_normal(Rng& rng);
double uniform01(Rng& rng);
// Gamma(shape, 1) and Poisson(mu) draws (Boost.Random); Poisson(0) is 0.
double standard_gamma(Rng& rng, double shape);
double poisson_draw(Rng& rng, double mu);
// Binomial(n, p) draws (Boost.Random).
double binomial_draw(Rng& rng, double n, double p);

}  // namespace stochos::distributions
