// Reductions over all axes and over each axis, with and without keepdims (all axes too), int64
// reductions, products with zero entries, max/min with ties, long sums, sums of a unary op (the
// native engine fuses them), scalars and size-1 axes, and cumsum. The reference loops over the
// [outer, len, inner] view of the input, in long double.
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

graph::Op op_of(const std::string& name) {
  for (graph::Op op : graph::all_ops())
    if (graph::op_name(op) == name) return op;
  return graph::Op::sum;
}

Case reduction(std::string name, std::string op, Input in,
               std::function<Tensor(const Tensor&)> build,
               std::function<Expected(const Values&)> ref, double tol = 1e-13) {
  Case c;
  c.name = std::move(name);
  c.ops = {std::move(op)};
  c.inputs = {std::move(in)};
  c.build = [build](const std::vector<Tensor>& x) { return build(x[0]); };
  c.reference = [ref](const std::vector<Values>& v) { return ref(v[0]); };
  c.tolerance = tol;
  return c;
}

}  // namespace

std::vector<Case> reduction_cases() {
  std::vector<Case> cases;
  const Shape shape = {2, 3, 4};
  for (const Reduction& r : kReductions) {
    for (int axis = -1; axis < 3; ++axis)
      for (bool keep : {false, true}) {
        // mean over all axes has no keepdims form (it is a composition, not an op).
        if (axis < 0 && keep && std::string(r.name) == "mean") continue;
        Case c;
        c.name = std::string(r.name) + (axis < 0 ? "_all" : "_axis" + std::to_string(axis)) +
                 (keep ? "_keepdims" : "");
        c.ops = {r.op};
        if (std::string(r.name) == "mean") c.ops.push_back("div");
        c.inputs = {Input{shape, DType::f64, r.lo, r.hi}};
        const auto all = r.all;
        const auto ax = r.axis;
        const auto fold = r.fold;
        const graph::Op op = op_of(r.op);
        c.build = [all, ax, axis, keep, op](const std::vector<Tensor>& x) {
          // The Tensor API spells all axes without keepdims; the op takes {kAllAxes, 1}.
          if (axis < 0 && keep) return graph::apply(op, {x[0]}, {graph::kAllAxes, 1});
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
  // Integer reductions are exact and stay int64.
  for (const Reduction& r : kReductions) {
    const std::string name = r.name;
    if (name == "logsumexp" || name == "mean") continue;
    for (int axis : {-1, 1}) {
      const Shape s = {3, 4};
      const auto ax = r.axis;
      const auto all = r.all;
      const auto fold = r.fold;
      Case c = reduction(
          name + (axis < 0 ? "_all_int64" : "_axis1_int64"), r.op,
          Input{s, DType::i64, -3, 3, {}, false, true},
          [=](const Tensor& x) { return axis < 0 ? all(x) : ax(x, axis, false); },
          [=](const Values& x) { return reduce(x, s, axis, false, fold); }, 0);
      c.gradient = false;
      cases.push_back(std::move(c));
    }
  }
  // A product with zero entries is finite, and so is its derivative: the product of the others.
  const auto prod_ref = [](const Values& x, const Shape& s, int axis) {
    return reduce(x, s, axis, false, f_prod);
  };
  cases.push_back(reduction(
      "prod_with_zero", "prod", Input{{4}, DType::f64, 0, 0, {1.5, 0, -2, 0.75}},
      [](const Tensor& x) { return graph::prod(x); },
      [=](const Values& x) { return prod_ref(x, {4}, -1); }));
  // Rows: one zero, two zeros, none.
  cases.push_back(reduction(
      "prod_with_zero_axis", "prod",
      Input{{3, 3}, DType::f64, 0, 0, {0.5, 0, 2, 0, 3, 0, 1.25, -1, 0.8}},
      [](const Tensor& x) { return graph::prod(x, 1); },
      [=](const Values& x) {
        return prod_ref(x, {3, 3}, 1);
      }));
  // Ties: the value is the tied extreme (the gradient is a subgradient, so values only).
  for (const bool is_max : {true, false}) {
    Case c = reduction(
        is_max ? "max_ties" : "min_ties", is_max ? "max" : "min",
        Input{{2, 4}, DType::f64, 0, 0, {1, 3, 3, -2, -1, -1, -1, -1}},
        [is_max](const Tensor& x) { return is_max ? graph::max(x, 1) : graph::min(x, 1); },
        [is_max](const Values& x) {
          return reduce(x, {2, 4}, 1, false, is_max ? f_max : f_min);
        },
        0);
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  // 4099 positive elements: summation order may vary (the native engine keeps eight running
  // totals), but the error stays within n eps of the sum, ~1e-13 relative here.
  // (Values only: the gradient of a sum is a broadcast, checked on the small shapes above, and
  // differences over thousands of elements would cost seconds.)
  cases.push_back(reduction(
      "sum_long", "sum", Input{{4099}, DType::f64, 0.5, 1.5},
      [](const Tensor& x) { return graph::sum(x); },
      [](const Values& x) {
        return Expected{{f_sum(x)}, {}};
      },
      1e-12));
  cases.back().gradient = false;
  cases.push_back(reduction(
      "sum_long_middle_axis", "sum", Input{{3, 1001, 5}, DType::f64, 0.5, 1.5},
      [](const Tensor& x) { return graph::sum(x, 1); },
      [](const Values& x) {
        return reduce(x, {3, 1001, 5}, 1, false, f_sum);
      },
      1e-12));
  cases.back().gradient = false;
  // NaN propagates through every reduction (as through maximum and minimum), wherever it sits.
  for (const Reduction& r : kReductions) {
    Case c = reduction(
        std::string(r.name) + "_nan", r.op,
        Input{{3, 3},
              DType::f64,
              0,
              0,
              {std::nan(""), 1, 2, 0.5, std::nan(""), -1, 3, 1.5, -2},
              false},
        [ax = r.axis](const Tensor& x) { return ax(x, 1, false); },
        [fold = r.fold](const Values& x) {
          Expected e = reduce(x, {3, 3}, 1, false, fold);
          e.values[0] = e.values[1] = std::nan("");
          return e;
        });
    if (std::string(r.name) == "mean") c.ops.push_back("div");
    cases.push_back(std::move(c));
  }
  // A unary op read only by a sum over all axes or the last one is fused into the sum.
  cases.push_back(reduction(
      "sum_of_exp_last_axis", "exp", Input{{3, 37}},
      [](const Tensor& x) { return graph::sum(graph::exp(x), -1); },
      [](const Values& x) {
        Values e;
        for (double v : x) e.push_back(std::exp(v));
        return reduce(e, {3, 37}, 1, false, f_sum);
      }));
  cases.back().ops.push_back("sum");
  cases.back().f32_tolerance = 1e-5;  // sums of 37 terms up to e^2 in float32
  cases.push_back(reduction(
      "sum_of_log_keepdims", "log", Input{{4, 9}, DType::f64, 0.1, 3},
      [](const Tensor& x) { return graph::sum(graph::log(x), 1, true); },
      [](const Values& x) {
        Values e;
        for (double v : x) e.push_back(std::log(v));
        return reduce(e, {4, 9}, 1, true, f_sum);
      }));
  cases.back().ops.push_back("sum");
  cases.push_back(reduction(
      "sum_of_square_all", "square", Input{{5, 9}},
      [](const Tensor& x) { return graph::sum(graph::square(x)); },
      [](const Values& x) {
        long double s = 0;
        for (double v : x) s += static_cast<long double>(v) * v;
        return Expected{{static_cast<double>(s)}, {}};
      }));
  cases.back().ops.push_back("sum");
  cases.back().f32_tolerance = 2e-6;
  // Scalars and size-1 axes: reducing one element is the identity (logsumexp too: no log(1 + .)).
  cases.push_back(reduction(
      "sum_scalar", "sum", Input{{}}, [](const Tensor& x) { return graph::sum(x); },
      [](const Values& x) {
        return Expected{x, {}};
      },
      0));
  cases.push_back(reduction(
      "logsumexp_scalar", "logsumexp", Input{{}},
      [](const Tensor& x) { return graph::logsumexp(x); },
      [](const Values& x) {
        return Expected{x, {}};
      },
      1e-15));
  cases.push_back(reduction(
      "logsumexp_size1_axis", "logsumexp", Input{{3, 1}, DType::f64, -40, 40},
      [](const Tensor& x) { return graph::logsumexp(x, 1); },
      [](const Values& x) {
        return Expected{x, {3}};
      },
      1e-15));
  cases.push_back(reduction(
      "max_size1_axis_keepdims", "max", Input{{1, 4}},
      [](const Tensor& x) { return graph::max(x, 0, true); },
      [](const Values& x) {
        return Expected{x, {1, 4}};
      },
      0));
  cases.push_back(reduction(
      "sum_negative_axis", "sum", Input{{2, 3, 4}},
      [](const Tensor& x) { return graph::sum(x, -2); },
      [](const Values& x) {
        return reduce(x, {2, 3, 4}, 1, false, f_sum);
      }));
  // cumsum along the middle axis of a 3-D array, and of integers.
  cases.push_back(reduction(
      "cumsum_3d_middle_axis", "cumsum", Input{{2, 3, 4}},
      [](const Tensor& x) { return graph::cumsum(x, -2); },
      [](const Values& x) {
        Expected e{x, {2, 3, 4}};
        for (std::size_t a = 0; a < 2; ++a)
          for (std::size_t b = 1; b < 3; ++b)
            for (std::size_t k = 0; k < 4; ++k)
              e.values[a * 12 + b * 4 + k] += e.values[a * 12 + (b - 1) * 4 + k];
        return e;
      },
      1e-14));
  cases.back().f32_tolerance = 1e-6;
  {
    Case c = reduction(
        "cumsum_int64", "cumsum", Input{{6}, DType::i64, -5, 5, {}, false, true},
        [](const Tensor& x) { return graph::cumsum(x); },
        [](const Values& x) {
          Expected e{x, {6}};
          for (std::size_t i = 1; i < 6; ++i) e.values[i] += e.values[i - 1];
          return e;
        },
        0);
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace stochos::conformance
