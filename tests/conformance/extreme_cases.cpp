// Extremes where the mathematics is finite and naive formulas are not: no NaN or inf allowed.
// log_sigmoid(-800), softplus(+-800) and subnormal softplus(-745), sigmoid(+-800), logsumexp
// with -inf entries (and a row of only -inf: -inf, not NaN), lgamma/digamma/trigamma near 0 and
// far out, log_ndtr far in the left tail, erfc's tail, expm1 and log1p at 1e-20, and the first
// derivatives there against closed forms (d log_sigmoid(-800) = 1, d softplus(800) = 1). Overflow
// to inf where the mathematics is inf is fine (exp(710)). References in long double and
// Boost.Math; tiny results are compared relative to themselves (Case::relative).
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
#include <limits>

#include "autodiff/grad.hpp"
#include "case.hpp"

namespace stochos::conformance {

namespace {

using L = long double;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr L kHalfLog2Pi = 0.918938533204672741780329736405617639861L;

Case fixed(std::string name, std::vector<std::string> ops, Values x,
           std::function<Tensor(const Tensor&)> f, std::function<double(double)> ref, bool gradient,
           double tol, bool relative) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  const Shape s{static_cast<std::int64_t>(x.size())};
  c.inputs = {Input{s, DType::f64, 0, 0, std::move(x)}};
  c.build = [f](const std::vector<Tensor>& in) { return f(in[0]); };
  c.reference = [ref, s](const std::vector<Values>& v) { return map1(v[0], s, ref); };
  c.gradient = gradient;
  c.tolerance = tol;
  c.relative = relative;
  return c;
}

// f's value at x.
Case value(std::string name, std::string op, Values x, Tensor (*f)(const Tensor&),
           std::function<double(double)> ref, bool gradient, double tol = 1e-14,
           bool relative = true) {
  return fixed(std::move(name), {std::move(op)}, std::move(x), f, std::move(ref), gradient, tol,
               relative);
}

// f's derivative at x as autodiff emits it, grad(sum(f(x)), x), against a closed form; its own
// gradient check (when on) is then a second-derivative check.
Case derivative(std::string name, std::string op, Values x, Tensor (*f)(const Tensor&),
                std::function<double(double)> dref, bool second, double tol = 1e-14,
                bool relative = true) {
  Case c = fixed(
      std::move(name), {std::move(op)}, std::move(x),
      [f](const Tensor& t) { return autodiff::grad(graph::sum(f(t)), {t})[0]; }, std::move(dref),
      second, tol, relative);
  c.second_order = true;
  return c;
}

double sigmoid(double x) {
  return static_cast<double>(1.0L / (1.0L + std::exp(-static_cast<L>(x))));
}
double log_sigmoid(double x) {
  const L v = x;
  return static_cast<double>(v >= 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v)));
}
double softplus(double x) {
  const L v = x;
  return static_cast<double>(v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)));
}

// Mills' ratio series S(x) = 1 - 1/x^2 + 3/x^4 - 15/x^6 + ..., summed in long double until its
// terms stop shrinking: Phi(x) = phi(x) S(x) / -x for x <= -30.
L mills_series(L x) {
  const L z = 1 / (x * x);
  L term = 1, s = 1;
  for (int k = 1; k < 60; ++k) {
    const L next = -term * (2 * k - 1) * z;
    if (std::abs(next) >= std::abs(term)) break;
    term = next;
    s += term;
  }
  return s;
}
// log Phi(x): Boost's erfc in log form where long double represents it, the asymptotic form
// -x^2/2 - log(-x) - log(2 pi)/2 + log S(x) beyond.
L log_ndtr_ref(L x) {
  if (x > 5) return std::log1p(-boost::math::erfc(x / std::sqrt(2.0L)) / 2);
  if (x > -30) return std::log(boost::math::erfc(-x / std::sqrt(2.0L)) / 2);
  return -x * x / 2 - std::log(-x) - kHalfLog2Pi + std::log(mills_series(x));
}
// d/dx log Phi(x) = phi(x) / Phi(x) = exp(log phi(x) - log Phi(x)), or -x / S(x) in the tail.
L d_log_ndtr_ref(L x) {
  if (x > -30) return std::exp(-x * x / 2 - kHalfLog2Pi - log_ndtr_ref(x));
  return -x / mills_series(x);
}

}  // namespace

std::vector<Case> extreme_cases() {
  std::vector<Case> cases;
  const Values wide = {-800, -745, -700, -40, -1e-10, 0, 1e-10, 40, 700, 800};
  cases.push_back(
      value("log_sigmoid_extremes", "log_sigmoid", wide, graph::log_sigmoid, log_sigmoid, true));
  cases.push_back(value("softplus_extremes", "softplus", wide, graph::softplus, softplus, true));
  cases.push_back(value("sigmoid_extremes", "sigmoid", wide, graph::sigmoid, sigmoid, true));
  for (auto* c : {&cases[cases.size() - 3], &cases[cases.size() - 2], &cases.back()})
    c->f32_tolerance = 1e-6;  // float32 overflows at 88.7: the stable forms must not
  cases.push_back(derivative(
      "log_sigmoid_derivative_extremes", "log_sigmoid", wide, graph::log_sigmoid,
      [](double x) { return sigmoid(-x); }, true));
  cases.push_back(
      derivative("softplus_derivative_extremes", "softplus", wide, graph::softplus, sigmoid, true));
  // sigmoid' = s (1 - s) from the value loses e^-40 = 4e-18 to 1 - s = 0 for large x (as every
  // framework does), which is right in absolute terms only.
  cases.push_back(derivative(
      "sigmoid_derivative_extremes", "sigmoid", wide, graph::sigmoid,
      [](double x) { return sigmoid(x) * sigmoid(-x); }, true, 1e-14, false));
  cases.push_back(value(
      "exp_overflow", "exp", {-746, -745, 709, 710, 800}, graph::exp,
      [](double x) { return static_cast<double>(std::exp(static_cast<L>(x))); }, false));
  cases.push_back(value(
      "tanh_saturates", "tanh", {-800, -20, 20, 800}, graph::tanh,
      [](double x) { return static_cast<double>(std::tanh(static_cast<L>(x))); }, true));
  // lgamma near its pole at 0 (-log x) and far out; its derivative is digamma.
  const Values near_zero = {1e-300, 1e-100, 1e-8, 1e-3};
  cases.push_back(value(
      "lgamma_near_zero", "lgamma", {1e-300, 1e-100, 1e-8, 1e-3, 171.5, 1e300}, graph::lgamma,
      [](double x) { return static_cast<double>(std::lgamma(static_cast<L>(x))); }, false));
  cases.push_back(derivative(
      "lgamma_derivative_near_zero", "lgamma", near_zero, graph::lgamma,
      [](double x) { return boost::math::digamma(x); }, false, 1e-13));
  cases.push_back(value(
      "digamma_extremes", "digamma", {1e-300, 1e-8, -0.5, 1e6, 1e300}, graph::digamma,
      [](double x) { return boost::math::digamma(static_cast<L>(x)); }, false, 1e-13));
  cases.push_back(value(
      "trigamma_extremes", "trigamma", {1e-150, 1e-8, -0.5, 1e6, 1e300}, graph::trigamma,
      [](double x) { return static_cast<double>(boost::math::trigamma(static_cast<L>(x))); }, false,
      1e-13));
  // log_ndtr from the far left tail (where Phi underflows double) to the right (where it is
  // -erfc/2), and phi/Phi, which is about -x in the tail.
  const Values tail = {-1e3, -40, -38.5, -30, -20.5, -20, -19.5, -10, -5, 0, 3, 8, 30};
  cases.push_back(value(
      "log_ndtr_tails", "log_ndtr", tail, graph::log_ndtr,
      [](double x) { return static_cast<double>(log_ndtr_ref(x)); }, true, 1e-13));
  cases.back().f32_tolerance = 1e-6;
  const auto d_log_ndtr = [](double x) { return static_cast<double>(d_log_ndtr_ref(x)); };
  cases.push_back(derivative("log_ndtr_derivative_tails", "log_ndtr",
                             {-40, -38.5, -30, -19.5, -10, -5, 0, 3, 8, 30}, graph::log_ndtr,
                             d_log_ndtr, true, 1e-12));
  // Just below -20, where log_ndtr switches to its asymptotic series, and far out at -1000
  // (known bugs, see xfail.hpp).
  cases.push_back(derivative("log_ndtr_derivative_series_switch", "log_ndtr", {-20, -20.5, -22},
                             graph::log_ndtr, d_log_ndtr, true, 1e-12));
  cases.push_back(derivative("log_ndtr_derivative_far_tail", "log_ndtr", {-1000, -300},
                             graph::log_ndtr, d_log_ndtr, true, 1e-12));
  cases.push_back(value(
      "erfc_tail", "erfc", {-6, -1e-20, 1e-20, 10, 26}, graph::erfc,
      [](double x) { return static_cast<double>(boost::math::erfc(static_cast<L>(x))); }, true,
      1e-13));
  cases.push_back(value(
      "erf_tiny_and_saturated", "erf", {-30, -1e-20, 1e-300, 6}, graph::erf,
      [](double x) { return static_cast<double>(boost::math::erf(static_cast<L>(x))); }, true,
      1e-14));
  // expm1 and log1p where 1 + x rounds to 1, and at the far ends of their domains.
  cases.push_back(value(
      "expm1_tiny", "expm1", {-1e-20, 1e-20, 1e-300, -800, 700}, graph::expm1,
      [](double x) { return static_cast<double>(std::expm1(static_cast<L>(x))); }, true));
  cases.push_back(value(
      "log1p_tiny", "log1p", {-1e-20, 1e-20, 1e-300, -0.999999, 1e300}, graph::log1p,
      [](double x) { return static_cast<double>(std::log1p(static_cast<L>(x))); }, true));
  cases.push_back(derivative(
      "expm1_log1p_derivative_tiny", "expm1", {-1e-20, 1e-20, 1e-300},
      [](const Tensor& x) { return graph::expm1(x) + graph::log1p(x); },
      [](double x) {
        return static_cast<double>(std::exp(static_cast<L>(x)) + 1 / (1 + static_cast<L>(x)));
      },
      true));
  cases.back().ops.push_back("log1p");
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
    // +inf wins: inf - inf must not turn it into NaN.
    c.name = "logsumexp_plus_inf";
    c.inputs = {Input{{2, 3}, DType::f64, 0, 0, {kInf, 0, 1, -kInf, kInf, kInf}, false}};
    c.reference = [](const std::vector<Values>&) { return Expected{{kInf, kInf}, {2}}; };
    cases.push_back(c);
    // The gradient with -inf entries is the softmax, 0 at -inf, finite elsewhere.
    c.name = "logsumexp_derivative_minus_inf";
    c.second_order = true;
    c.inputs = {Input{{2, 3}, DType::f64, 0, 0, {-kInf, 0, 1, 1000, -kInf, 999}, false}};
    c.build = [](const std::vector<Tensor>& x) {
      return autodiff::grad(graph::sum(graph::logsumexp(x[0], 1)), {x[0]})[0];
    };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {2, 3}};
      for (std::size_t r = 0; r < 2; ++r) {
        L z = 0;
        for (std::size_t k = 0; k < 3; ++k) z += std::exp(static_cast<L>(v[0][r * 3 + k]) - 1000);
        for (std::size_t k = 0; k < 3; ++k)
          e.values.push_back(
              static_cast<double>(std::exp(static_cast<L>(v[0][r * 3 + k]) - 1000) / z));
      }
      return e;
    };
    c.tolerance = 1e-12;
    cases.push_back(c);
    c.second_order = false;
    c.name = "logsumexp_huge";
    c.inputs = {Input{{2, 3}, DType::f64, 0, 0, {1000, 1000, 999, -1000, -1001, -999.5}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::logsumexp(x[0], 1); };
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
