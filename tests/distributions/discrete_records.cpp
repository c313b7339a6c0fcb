// The discrete records: references from Boost.Math's mass functions in long double, or closed
// forms (BetaBinomial through Boost's beta function and binomial coefficient, the
// zero-inflated mixture, the discrete uniform).
#include <boost/math/distributions.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/binomial.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

#include "record.hpp"

namespace stochos::distributions::testing {
namespace {

namespace bm = boost::math;
using LD = long double;

template <class D>
std::function<double(double)> log_pmf(D d, LD shift = 0) {
  return [=](double x) { return static_cast<double>(std::log(bm::pdf(d, x - shift))); };
}

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

}  // namespace

std::vector<Record> discrete_records() {
  const double pl = sigmoid(-2.0), pb = sigmoid(-3.0);
  return {
      {.family = "Bernoulli",
       .params = {{"p", 0.3}},
       .xs = {0, 1},
       .logpdf = [](double x) { return std::log(x > 0.5 ? 0.3 : 0.7); },
       .differentiable = {"p"},
       .mean = 0.3,
       .variance = 0.21,
       .bad = {"p", 1.5, "0 <= p <= 1"},
       .outside = {2, 0.5, -1}},
      {.family = "Bernoulli",
       .params = {{"logit_p", -2.0}},
       .xs = {0, 1},
       .logpdf = [pl](double x) { return std::log(x > 0.5 ? pl : 1 - pl); },
       .differentiable = {"logit_p"},
       .mean = pl,
       .variance = pl * (1 - pl),
       .outside = {2}},
      {.family = "Binomial",
       .params = {{"n", 10.0}, {"p", 0.3}},
       .xs = {0, 3, 10},
       .logpdf = log_pmf(bm::binomial_distribution<LD>(10, 0.3L)),
       .differentiable = {"p"},
       .mean = 3,
       .variance = 2.1,
       .bad = {"p", 1.5, "0 <= p <= 1"},
       .outside = {-1, 1.5, 11}},
      {.family = "Binomial",
       .params = {{"n", 50.0}, {"logit_p", -3.0}},
       .xs = {0, 5, 50},  // x = n: p^50 is 1e-66
       .logpdf = log_pmf(bm::binomial_distribution<LD>(50, pb)),
       .differentiable = {"logit_p"},
       .mean = 50 * pb,
       .variance = 50 * pb * (1 - pb),
       .bad = {"n", -5, "n >= 0"},
       .outside = {51}},
      {.family = "BetaBinomial",
       .params = {{"alpha", 2.0}, {"beta", 3.5}, {"n", 12.0}},
       .xs = {0, 4, 12},
       .logpdf =
           [](double x) {
             const LD a = 2, b = 3.5, n = 12;
             return static_cast<double>(
                 std::log(bm::binomial_coefficient<LD>(12, static_cast<unsigned>(x)) *
                          bm::beta(x + a, n - x + b) / bm::beta(a, b)));
           },
       .differentiable = {"alpha", "beta"},
       .mean = 12 * 2 / 5.5,
       .variance = 12 * 2 * 3.5 * (5.5 + 12) / (5.5 * 5.5 * 6.5),
       .bad = {"alpha", -1, "alpha > 0"},
       .outside = {13, -1, 2.5}},
      {.family = "Poisson",
       .params = {{"mu", 3.5}},
       .xs = {0, 1, 4, 30, 200},
       .logpdf = log_pmf(bm::poisson_distribution<LD>(3.5)),
       .differentiable = {"mu"},
       .mean = 3.5,
       .variance = 3.5,
       .bad = {"mu", -1, "mu >= 0"},
       .outside = {-1, 1.5, kInf}},
      {.family = "NegativeBinomial",
       .params = {{"mu", 4.0}, {"alpha", 2.5}},
       .xs = {0, 3, 40},
       .logpdf = log_pmf(bm::negative_binomial_distribution<LD>(2.5, 2.5L / 6.5L)),
       .differentiable = {"mu", "alpha"},
       .mean = 4,
       .variance = 4 + 16 / 2.5,
       .bad = {"alpha", -1, "alpha > 0"},
       .outside = {-1, 0.5}},
      {.family = "NegativeBinomial",
       .params = {{"mu", 4.0}, {"alpha", 1e8}},
       .xs = {0, 3, 15},  // lgamma(x + alpha) - lgamma(alpha): a difference of 1.7e9's
       .logpdf =
           [](double x) {
             // Gamma(x + a) / Gamma(a) by Boost's tgamma_delta_ratio, exact for large a.
             const LD a = 1e8, mu = 4;
             return static_cast<double>(-std::log(bm::tgamma_delta_ratio(a, LD(x))) -
                                        std::lgamma(LD(x) + 1) - a * std::log1p(mu / a) -
                                        x * std::log1p(a / mu));
           },
       .differentiable = {"mu"},
       .mean = 4,
       .variance = 4 + 16 / 1e8,
       .bad = {"mu", -4, "mu > 0"},
       .label = "near_poisson"},
      {.family = "NegativeBinomial",
       .params = {{"n", 3.0}, {"p", 0.4}},
       .xs = {0, 2, 30},
       .logpdf = log_pmf(bm::negative_binomial_distribution<LD>(3, 0.4L)),
       .differentiable = {"n", "p"},
       .mean = 3 * 0.6 / 0.4,
       .variance = 3 * 0.6 / 0.16,
       .bad = {"p", 0, "0 < p <= 1"},
       .outside = {-2}},
      {.family = "Geometric",
       .params = {{"p", 0.3}},
       .xs = {1, 2, 40},
       .logpdf = log_pmf(bm::geometric_distribution<LD>(0.3L), 1),  // Boost counts failures
       .differentiable = {"p"},
       .mean = 1 / 0.3,
       .variance = 0.7 / 0.09,
       .bad = {"p", 0, "0 < p <= 1"},
       .outside = {0, 1.5}},
      {.family = "DiscreteUniform",
       .params = {{"lower", -2.0}, {"upper", 5.0}},
       .xs = {-2, 0, 5},
       .logpdf = [](double) { return -std::log(8.0); },
       .mean = 1.5,
       .variance = (8.0 * 8.0 - 1) / 12,
       .bad = {"upper", -3, "lower <= upper"},
       .outside = {-3, 6, 0.5}},
      {.family = "ZeroInflatedPoisson",
       .params = {{"psi", 0.7}, {"mu", 3.0}},
       .xs = {0, 1, 5, 40},
       .logpdf =
           [](double x) {
             const LD psi = 0.7, p = bm::pdf(bm::poisson_distribution<LD>(3), x);
             return static_cast<double>(std::log(x == 0 ? 1 - psi + psi * p : psi * p));
           },
       .differentiable = {"psi", "mu"},
       .mean = 0.7 * 3,
       .variance = 0.7 * 3 * (1 + 3 * 0.3),
       .bad = {"psi", 1.2, "0 <= psi <= 1"},
       .outside = {-1, 0.5}},
  };
}

}  // namespace stochos::distributions::testing
