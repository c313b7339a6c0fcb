// Extremes where the mathematics is finite and naive formulas are not: no NaN or inf allowed.
// log_sigmoid(-800), softplus(800), sigmoid(+-800), logsumexp with -inf entries (and a row of
// only -inf), lgamma near 0, log_ndtr far in the left tail, expm1 and log1p at 1e-20, and the
// gradients there. References in long double.
#include <cmath>
#include <limits>

#include "case.hpp"

namespace stochos::conformance {

namespace {

using L = long double;
constexpr double kInf = std::numeric_limits<double>::infinity();

Case fixed_unary(std::string name, std::string op, Values x, Tensor (*f)(const Tensor&),
                 double (*ref)(double), bool gradient, double tol = 1e-14) {
  Case c;
  c.name = std::move(name);
  c.ops = {std::move(op)};
  const Shape s{static_cast<std::int64_t>(x.size())};
  c.inputs = {Input{s, DType::f64, 0, 0, std::move(x)}};
  c.build = [f](const std::vector<Tensor>& in) { return f(in[0]); };
  c.reference = [ref, s](const std::vector<Values>& v) { return map1(v[0], s, ref); };
  c.gradient = gradient;
  c.tolerance = tol;
  return c;
}

double log_sigmoid(double x) {
  const L v = x;
  return static_cast<double>(v >= 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v)));
}
double softplus(double x) {
  const L v = x;
  return static_cast<double>(v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)));
}
double sigmoid(double x) {
  return static_cast<double>(1.0L / (1.0L + std::exp(-static_cast<L>(x))));
}
double log_ndtr(double x) {
  return static_cast<double>(std::log(0.5L * std::erfc(-static_cast<L>(x) / std::sqrt(2.0L))));
}

}  // namespace

std::vector<Case> extreme_cases() {
  std::vector<Case> cases;
  const Values wide = {-800, -40, -1e-10, 0, 1e-10, 40, 800};
  cases.push_back(fixed_unary("log_sigmoid_extremes", "log_sigmoid", wide, graph::log_sigmoid,
                              log_sigmoid, true));
  cases.push_back(
      fixed_unary("softplus_extremes", "softplus", wide, graph::softplus, softplus, true));
  cases.push_back(fixed_unary("sigmoid_extremes", "sigmoid", wide, graph::sigmoid, sigmoid, true));
  cases.push_back(fixed_unary(
      "lgamma_near_zero", "lgamma", {1e-300, 1e-8, 1e-3, 0.5}, graph::lgamma,
      [](double x) { return std::lgamma(x); }, false));
  cases.push_back(fixed_unary("log_ndtr_left_tail", "log_ndtr", {-40, -30, -20, -10, -5, 0, 8},
                              graph::log_ndtr, log_ndtr, true, 1e-12));
  cases.push_back(fixed_unary(
      "expm1_tiny", "expm1", {-1e-20, 1e-20, 1e-300}, graph::expm1,
      [](double x) { return std::expm1(x); }, true));
  cases.push_back(fixed_unary(
      "log1p_tiny", "log1p", {-1e-20, 1e-20, 1e-300}, graph::log1p,
      [](double x) { return std::log1p(x); }, true));
  {
    // Rows: a -inf entry, all -inf (-inf, not NaN), two huge equal entries.
    Case c;
    c.name = "logsumexp_minus_inf";
    c.ops = {"logsumexp"};
    c.inputs = {Input{
        {3, 3}, DType::f64, 0, 0, {-kInf, 0, 1, -kInf, -kInf, -kInf, 1000, 1000, -kInf}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::logsumexp(x[0], 1); };
    c.reference = [](const std::vector<Values>&) {
      return Expected{
          {static_cast<double>(std::log(1.0L + std::exp(1.0L))), -kInf, 1000 + std::log(2.0)}, {3}};
    };
    c.gradient = false;
    cases.push_back(c);
    c.name = "logsumexp_huge";
    c.inputs = {Input{{2, 3}, DType::f64, 0, 0, {1000, 1000, 999, -1000, -1001, -999.5}}};
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {2}};
      for (int r = 0; r < 2; ++r) {
        L m = -1e4000L, s = 0;
        for (int k = 0; k < 3; ++k) m = std::max<L>(m, v[0][static_cast<std::size_t>(r * 3 + k)]);
        for (int k = 0; k < 3; ++k) s += std::exp(v[0][static_cast<std::size_t>(r * 3 + k)] - m);
        e.values.push_back(static_cast<double>(m + std::log(s)));
      }
      return e;
    };
    c.gradient = true;
    cases.push_back(c);
  }
  return cases;
}

}  // namespace stochos::conformance
