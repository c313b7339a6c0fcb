// The continuous records: references from Boost.Math evaluated in long double (so that densities
// far in the tails, which underflow double, still have their logarithms), or closed forms in
// long double where Boost has no such distribution (TruncatedNormal).
#include <boost/math/distributions.hpp>
#include <cmath>
#include <numbers>

#include "record.hpp"

namespace stochos::distributions::testing {
namespace {

namespace bm = boost::math;
using LD = long double;

template <class D>
std::function<double(double)> log_pdf(D d, LD shift = 0, LD scale = 1) {
  return [=](double x) {
    return static_cast<double>(std::log(bm::pdf(d, (x - shift) / scale) / scale));
  };
}
template <class D>
std::function<double(double)> cdf_of(D d, LD shift = 0, LD scale = 1) {
  return [=](double x) { return static_cast<double>(bm::cdf(d, (x - shift) / scale)); };
}

// A normal truncated to [lower, upper] in closed form: the normaliser, moments and CDF, each
// mass taken from the tail it lies in so that none underflows or cancels.
struct TruncNorm {
  LD mu, sigma, a, b;  // a, b standardised (infinite for no bound)
  TruncNorm(LD mu_, LD sigma_, LD lower, LD upper)
      : mu(mu_), sigma(sigma_), a((lower - mu_) / sigma_), b((upper - mu_) / sigma_) {}
  static LD phi(LD z) {
    return std::isinf(z) ? 0 : std::exp(-z * z / 2) / std::sqrt(2 * std::numbers::pi_v<LD>);
  }
  static LD zphi(LD z) { return std::isinf(z) ? 0 : z * phi(z); }
  // Phi(hi) - Phi(lo), from the upper tail when lo > 0.
  static LD mass(LD lo, LD hi) {
    const bm::normal_distribution<LD> n;
    const auto upper = [&](LD z) {
      return std::isinf(z) ? (z > 0 ? 0 : 1) : bm::cdf(bm::complement(n, z));
    };
    const auto lower = [&](LD z) { return std::isinf(z) ? (z > 0 ? 1 : 0) : bm::cdf(n, z); };
    return lo > 0 ? upper(lo) - upper(hi) : lower(hi) - lower(lo);
  }
  LD z() const { return mass(a, b); }
  double logpdf(double x) const {
    const LD t = (x - mu) / sigma;
    return static_cast<double>(std::log(phi(t) / (sigma * z())));
  }
  double cdf(double x) const { return static_cast<double>(mass(a, (x - mu) / sigma) / z()); }
  double mean() const { return static_cast<double>(mu + sigma * (phi(a) - phi(b)) / z()); }
  double variance() const {
    const LD r = (phi(a) - phi(b)) / z();
    return static_cast<double>(sigma * sigma * (1 + (zphi(a) - zphi(b)) / z() - r * r));
  }
};

}  // namespace

std::vector<Record> continuous_records() {
  // HalfStudentT(3.5, 1.5): E|T| = 2 sqrt(nu / pi) Gamma((nu + 1) / 2) / (Gamma(nu / 2) (nu - 1)).
  const double hst_mean =
      1.5 * 2 * std::sqrt(3.5 / std::numbers::pi) * std::tgamma(2.25) / (std::tgamma(1.75) * 2.5);
  // Weibull(1.7, 2.5).
  const double w1 = std::tgamma(1 + 1 / 1.7), w2 = std::tgamma(1 + 2 / 1.7);
  // SkewNormal(alpha 3, mu 0.5, sigma 1.5).
  const double delta = 3 / std::sqrt(10.0);
  const TruncNorm both(0.5, 2, -1, 3), far(0, 1, 40, kInf), below(1, 2, -kInf, 0),
      narrow(0, 1, 6, 6.5);
  return {
      {.family = "Normal",
       .params = {{"mu", 1.5}, {"sigma", 2.0}},
       .xs = {-30, -1, 1.5, 4, 25},
       .logpdf = log_pdf(bm::normal_distribution<LD>(1.5, 2)),
       .differentiable = {"mu", "sigma"},
       .mean = 1.5,
       .variance = 4,
       .cdf = cdf_of(bm::normal_distribution<LD>(1.5, 2)),
       .bad = {"sigma", -2, "sigma > 0"},
       .outside = {kInf, kNaN}},
      {.family = "HalfNormal",
       .params = {{"sigma", 1.5}},
       .xs = {1e-8, 0.3, 2, 10},
       .logpdf =
           [](double x) { return std::log(2.0) + log_pdf(bm::normal_distribution<LD>(0, 1.5))(x); },
       .differentiable = {"sigma"},
       .mean = 1.5 * std::sqrt(2 / std::numbers::pi),
       .variance = 2.25 * (1 - 2 / std::numbers::pi),
       .cdf = [](double x) { return 2 * bm::cdf(bm::normal(0, 1.5), x) - 1; },
       .bad = {"sigma", 0, "sigma > 0"},
       .outside = {-1}},
      {.family = "Cauchy",
       .params = {{"alpha", -1.0}, {"beta", 0.5}},
       .xs = {-1e6, -1, 0, 3},
       .logpdf = log_pdf(bm::cauchy_distribution<LD>(-1, 0.5)),
       .differentiable = {"alpha", "beta"},
       .cdf = cdf_of(bm::cauchy_distribution<LD>(-1, 0.5)),  // no moments: the CDF is the check
       .bad = {"beta", -1, "beta > 0"},
       .outside = {-kInf}},
      {.family = "HalfCauchy",
       .params = {{"beta", 2.0}},
       .xs = {1e-6, 1, 50, 1e5},
       .logpdf =
           [](double x) { return std::log(2.0) + log_pdf(bm::cauchy_distribution<LD>(0, 2))(x); },
       .differentiable = {"beta"},
       .cdf = [](double x) { return 2 * bm::cdf(bm::cauchy(0, 2.0), x) - 1; },
       .bad = {"beta", 0, "beta > 0"},
       .outside = {-0.5}},
      {.family = "Exponential",
       .params = {{"lam", 0.7}},
       .xs = {1e-9, 0.5, 3, 60},
       .logpdf = log_pdf(bm::exponential_distribution<LD>(0.7)),
       .differentiable = {"lam"},
       .mean = 1 / 0.7,
       .variance = 1 / 0.49,
       .cdf = cdf_of(bm::exponential_distribution<LD>(0.7)),
       .bad = {"lam", -1, "lam > 0"},
       .outside = {-1}},
      {.family = "Uniform",
       .params = {{"lower", -2.0}, {"upper", 3.0}},
       .xs = {-1.999, 0, 2.999},
       .logpdf = log_pdf(bm::uniform_distribution<LD>(-2, 3)),
       .differentiable = {"lower", "upper"},
       .mean = 0.5,
       .variance = 25.0 / 12,
       .cdf = cdf_of(bm::uniform_distribution<LD>(-2, 3)),
       .bad = {"upper", -3, "upper > lower"},
       .outside = {-2.5, 3.5}},
      {.family = "StudentT",
       .params = {{"nu", 3.5}, {"mu", 0.5}, {"sigma", 2.0}},
       .xs = {-100, -1, 0.5, 7, 1e8},
       .logpdf = log_pdf(bm::students_t_distribution<LD>(3.5), 0.5, 2),
       .differentiable = {"nu", "mu", "sigma"},
       .mean = 0.5,
       .variance = 4.0 * 3.5 / 1.5,
       .cdf = cdf_of(bm::students_t_distribution<LD>(3.5), 0.5, 2),
       .bad = {"nu", -1, "nu > 0"},
       .outside = {kNaN}},
      {.family = "HalfStudentT",
       .params = {{"nu", 3.5}, {"sigma", 1.5}},
       .xs = {1e-8, 0.5, 3, 1e6},
       .logpdf =
           [](double x) {
             return std::log(2.0) + log_pdf(bm::students_t_distribution<LD>(3.5), 0, 1.5)(x);
           },
       .differentiable = {"nu", "sigma"},
       .mean = hst_mean,
       .variance = 2.25 * 3.5 / 1.5 - hst_mean * hst_mean,
       .cdf =
           [](double x) { return 2 * cdf_of(bm::students_t_distribution<LD>(3.5), 0, 1.5)(x) - 1; },
       .bad = {"nu", -1, "nu > 0"},
       .outside = {-0.1}},
      {.family = "Gamma",
       .params = {{"alpha", 2.5}, {"beta", 1.5}},
       .xs = {1e-5, 0.5, 2, 20, 500},
       .logpdf = log_pdf(bm::gamma_distribution<LD>(2.5, 1 / 1.5L)),
       .differentiable = {"alpha", "beta"},
       .mean = 2.5 / 1.5,
       .variance = 2.5 / 2.25,
       .cdf = cdf_of(bm::gamma_distribution<LD>(2.5, 1 / 1.5L)),
       .bad = {"alpha", -1, "alpha > 0"},
       .outside = {0, -1}},
      {.family = "InverseGamma",
       .params = {{"alpha", 6.0}, {"beta", 2.0}},
       .xs = {0.01, 0.2, 1, 50},
       .logpdf = log_pdf(bm::inverse_gamma_distribution<LD>(6, 2)),
       .differentiable = {"alpha", "beta"},
       .mean = 2.0 / 5,
       .variance = 4.0 / (25 * 4),
       .cdf = cdf_of(bm::inverse_gamma_distribution<LD>(6, 2)),
       .bad = {"beta", -2, "beta > 0"},
       .outside = {0, -1}},
      {.family = "ChiSquared",
       .params = {{"nu", 3.0}},
       .xs = {1e-6, 1, 4, 80},
       .logpdf = log_pdf(bm::chi_squared_distribution<LD>(3)),
       .differentiable = {"nu"},
       .mean = 3,
       .variance = 6,
       .cdf = cdf_of(bm::chi_squared_distribution<LD>(3)),
       .bad = {"nu", 0, "nu > 0"},
       .outside = {-1}},
      {.family = "Weibull",
       .params = {{"alpha", 1.7}, {"beta", 2.5}},
       .xs = {1e-6, 1, 3, 20},
       .logpdf = log_pdf(bm::weibull_distribution<LD>(1.7, 2.5)),
       .differentiable = {"alpha", "beta"},
       .mean = 2.5 * w1,
       .variance = 6.25 * (w2 - w1 * w1),
       .cdf = cdf_of(bm::weibull_distribution<LD>(1.7, 2.5)),
       .bad = {"alpha", -1, "alpha > 0"},
       .outside = {-0.5, 0}},
      {.family = "LogNormal",
       .params = {{"mu", 0.3}, {"sigma", 0.6}},
       .xs = {1e-3, 0.5, 1.5, 30},
       .logpdf = log_pdf(bm::lognormal_distribution<LD>(0.3, 0.6)),
       .differentiable = {"mu", "sigma"},
       .mean = std::exp(0.3 + 0.18),
       .variance = (std::exp(0.36) - 1) * std::exp(0.6 + 0.36),
       .cdf = cdf_of(bm::lognormal_distribution<LD>(0.3, 0.6)),
       .bad = {"sigma", -1, "sigma > 0"},
       .outside = {0}},
      {.family = "Beta",
       .params = {{"alpha", 2.0}, {"beta", 5.0}},
       .xs = {1e-6, 0.2, 0.7, 0.999},
       .logpdf = log_pdf(bm::beta_distribution<LD>(2, 5)),
       .differentiable = {"alpha", "beta"},
       .mean = 2.0 / 7,
       .variance = 10.0 / (49 * 8),
       .cdf = cdf_of(bm::beta_distribution<LD>(2, 5)),
       .bad = {"beta", 0, "beta > 0"},
       .outside = {0, 1}},
      {.family = "Laplace",
       .params = {{"mu", 0.5}, {"b", 2.0}},
       .xs = {-200, -1, 0.5, 3, 1e3},
       .logpdf = log_pdf(bm::laplace_distribution<LD>(0.5, 2)),
       .differentiable = {"mu", "b"},
       .mean = 0.5,
       .variance = 8,
       .cdf = cdf_of(bm::laplace_distribution<LD>(0.5, 2)),
       .bad = {"b", -1, "b > 0"},
       .outside = {kInf}},
      {.family = "Logistic",
       .params = {{"mu", -1.0}, {"s", 0.7}},
       .xs = {-500, -2, -1, 3, 800},  // e^(-z) overflows double at -500
       .logpdf = log_pdf(bm::logistic_distribution<LD>(-1, 0.7)),
       .differentiable = {"mu", "s"},
       .mean = -1,
       .variance = 0.49 * std::numbers::pi * std::numbers::pi / 3,
       .cdf = cdf_of(bm::logistic_distribution<LD>(-1, 0.7)),
       .bad = {"s", 0, "s > 0"},
       .outside = {-kInf}},
      {.family = "SkewNormal",
       .params = {{"alpha", 3.0}, {"mu", 0.5}, {"sigma", 1.5}},
       .xs = {-20, -1, 0.5, 3, 30},  // at -20, Phi(alpha z) is 1e-368
       .logpdf = log_pdf(bm::skew_normal_distribution<LD>(0.5, 1.5, 3)),
       .differentiable = {"alpha", "mu", "sigma"},
       .mean = 0.5 + 1.5 * delta * std::sqrt(2 / std::numbers::pi),
       .variance = 2.25 * (1 - 2 * delta * delta / std::numbers::pi),
       .cdf = cdf_of(bm::skew_normal_distribution<LD>(0.5, 1.5, 3)),
       .bad = {"sigma", -1.5, "sigma > 0"},
       .outside = {kNaN}},
      {.family = "TruncatedNormal",
       .params = {{"mu", 0.5}, {"sigma", 2.0}, {"lower", -1.0}, {"upper", 3.0}},
       .xs = {-0.999, 0, 2.9},
       .logpdf = [both](double x) { return both.logpdf(x); },
       .differentiable = {"mu", "sigma", "lower", "upper"},
       .mean = both.mean(),
       .variance = both.variance(),
       .cdf = [both](double x) { return both.cdf(x); },
       .bad = {"sigma", -1, "sigma > 0"},
       .outside = {-1.5, 3.5}},
      {.family = "TruncatedNormal",
       .params = {{"mu", 0.0}, {"sigma", 1.0}, {"lower", 40.0}},
       .xs = {40.001, 40.5, 41, 45},  // the normaliser Phi(-40) is 1e-350, below double's range
       .logpdf = [far](double x) { return far.logpdf(x); },
       .differentiable = {"mu", "sigma", "lower"},
       .mean = far.mean(),
       .variance = far.variance(),
       .cdf = [far](double x) { return far.cdf(x); },
       .bad = {"sigma", 0, "sigma > 0"},
       .outside = {39},
       .label = "far_tail"},
      {.family = "TruncatedNormal",
       .params = {{"mu", 1.0}, {"sigma", 2.0}, {"upper", 0.0}},
       .xs = {-30, -1, -0.001},
       .logpdf = [below](double x) { return below.logpdf(x); },
       .differentiable = {"mu", "sigma", "upper"},
       .mean = below.mean(),
       .variance = below.variance(),
       .cdf = [below](double x) { return below.cdf(x); },
       .bad = {"sigma", -2, "sigma > 0"},
       .outside = {0.5}},
      {.family = "TruncatedNormal",
       .params = {{"mu", 0.0}, {"sigma", 1.0}, {"lower", 6.0}, {"upper", 6.5}},
       .xs = {6.001, 6.2, 6.499},  // both bounds in the upper tail: the mass from Phi(-x)
       .logpdf = [narrow](double x) { return narrow.logpdf(x); },
       .differentiable = {"mu", "sigma", "lower", "upper"},
       .mean = narrow.mean(),
       .variance = narrow.variance(),
       .cdf = [narrow](double x) { return narrow.cdf(x); },
       .bad = {"upper", 6, "lower < upper"},
       .outside = {5.9, 6.6},
       .label = "tail_interval"},
  };
}

}  // namespace stochos::distributions::testing
