// Reductions over all axes and over each axis, with and without keepdims, and cumsum; the
// reference loops over the [outer, len, inner] view of the input.
#include <cmath>
#include <limits>

#include "case.hpp"

namespace stochos::conformance {

namespace {

using Fold = double (*)(const std::vector<double>&);

double f_sum(const std::vector<double>& v) {
  long double s = 0;
  for (double x : v) s += x;
  return static_cast<double>(s);
}
double f_prod(const std::vector<double>& v) {
  long double p = 1;
  for (double x : v) p *= x;
  return static_cast<double>(p);
}
double f_max(const std::vector<double>& v) {
  double m = -std::numeric_limits<double>::infinity();
  for (double x : v) m = std::max(m, x);
  return m;
}
double f_min(const std::vector<double>& v) {
  double m = std::numeric_limits<double>::infinity();
  for (double x : v) m = std::min(m, x);
  return m;
}
double f_logsumexp(const std::vector<double>& v) {
  long double s = 0;
  for (double x : v) s += std::exp(static_cast<long double>(x));
  return static_cast<double>(std::log(s));
}
double f_mean(const std::vector<double>& v) {
  return f_sum(v) / static_cast<double>(v.size());
}

struct Reduction {
  const char* name;
  const char* op;  // the op-table entry
  Tensor (*all)(const Tensor&);
  Tensor (*axis)(const Tensor&, std::int64_t, bool);
  Fold fold;
  double lo, hi;
};

const Reduction kReductions[] = {
    {"sum", "sum", graph::sum, graph::sum, f_sum, -2, 2},
    {"prod", "prod", graph::prod, graph::prod, f_prod, 0.5, 1.5},
    {"max", "max", graph::max, graph::max, f_max, -2, 2},
    {"min", "min", graph::min, graph::min, f_min, -2, 2},
    {"logsumexp", "logsumexp", graph::logsumexp, graph::logsumexp, f_logsumexp, -2, 2},
    {"mean", "sum", graph::mean, graph::mean, f_mean, -2, 2},
};

// Reduces x of `shape` over `axis` (-1: all) with fold.
Expected reduce(const Values& x, const Shape& shape, int axis, bool keepdims, Fold fold) {
  if (axis < 0) return Expected{{fold(x)}, keepdims ? Shape(shape.size(), 1) : Shape{}};
  std::int64_t outer = 1, inner = 1;
  const auto a = static_cast<std::size_t>(axis);
  for (std::size_t k = 0; k < a; ++k) outer *= shape[k];
  for (std::size_t k = a + 1; k < shape.size(); ++k) inner *= shape[k];
  const std::int64_t len = shape[a];
  Expected e;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      std::vector<double> slice;
      for (std::int64_t j = 0; j < len; ++j)
        slice.push_back(x[static_cast<std::size_t>((o * len + j) * inner + i)]);
      e.values.push_back(fold(slice));
    }
  e.shape = shape;
  if (keepdims)
    e.shape[a] = 1;
  else
    e.shape.erase(e.shape.begin() + axis);
  return e;
}

}  // namespace

std::vector<Case> reduction_cases() {
  std::vector<Case> cases;
  const Shape shape = {2, 3, 4};
  for (const Reduction& r : kReductions) {
    for (int axis = -1; axis < 3; ++axis)
      for (bool keep : {false, true}) {
        if (axis < 0 && keep) continue;  // the all-axes form has no keepdims in the Tensor API
        Case c;
        c.name = std::string(r.name) + (axis < 0 ? "_all" : "_axis" + std::to_string(axis)) +
                 (keep ? "_keepdims" : "");
        c.ops = {r.op};
        if (std::string(r.name) == "mean") c.ops.push_back("div");
        c.inputs = {Input{shape, DType::f64, r.lo, r.hi}};
        const auto all = r.all;
        const auto ax = r.axis;
        const auto fold = r.fold;
        c.build = [all, ax, axis, keep](const std::vector<Tensor>& x) {
          return axis < 0 ? all(x[0]) : ax(x[0], axis, keep);
        };
        c.reference = [fold, shape, axis, keep](const std::vector<Values>& v) {
          return reduce(v[0], shape, axis, keep, fold);
        };
        c.tolerance = 1e-13;
        c.f32_tolerance = axis == 1 && !keep ? 2e-6 : 0;
        cases.push_back(std::move(c));
      }
  }
  // Reductions of empty arrays: the identity of each (sum 0, prod 1), -inf for logsumexp.
  struct Empty {
    const char* op;
    Tensor (*reduce)(const Tensor&, std::int64_t, bool);
    double value;
  };
  for (const Empty& e :
       {Empty{"sum", graph::sum, 0.0}, Empty{"prod", graph::prod, 1.0},
        Empty{"logsumexp", graph::logsumexp, -std::numeric_limits<double>::infinity()}}) {
    Case c;
    c.name = std::string(e.op) + "_empty";
    c.ops = {e.op};
    c.inputs = {Input{{3, 0}}};
    const auto reduce = e.reduce;
    const double value = e.value;
    c.build = [reduce](const std::vector<Tensor>& x) { return reduce(x[0], 1, false); };
    c.reference = [value](const std::vector<Values>&) {
      return Expected{{value, value, value}, {3}};
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  for (int axis = 0; axis < 2; ++axis) {
    Case c;
    c.name = "cumsum_axis" + std::to_string(axis);
    c.ops = {"cumsum"};
    c.inputs = {Input{{3, 4}}};
    c.build = [axis](const std::vector<Tensor>& x) { return graph::cumsum(x[0], axis); };
    c.reference = [axis](const std::vector<Values>& v) {
      Expected e{v[0], {3, 4}};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 4; ++j) {
          const int pi = axis == 0 ? i - 1 : i, pj = axis == 1 ? j - 1 : j;
          if (pi >= 0 && pj >= 0)
            e.values[static_cast<std::size_t>(i * 4 + j)] +=
                e.values[static_cast<std::size_t>(pi * 4 + pj)];
        }
      return e;
    };
    c.tolerance = 1e-14;
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace stochos::conformance
