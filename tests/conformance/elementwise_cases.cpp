// Elementwise ops: every unary and binary op on arrays (35 elements: vector loops and their
// tails) and scalars, int64 arithmetic, binary ops over the broadcasting edges (equal shapes,
// [3,1] with [1,4], a scalar on either side, a trailing vector, rank 3 against rank 2, size 0),
// comparisons (NaN, infinities and signed zeros too), logical ops, where (broadcast, scalar
// condition, and guarding a branch that is NaN where unselected), casts between every dtype, and
// clip. References are std:: and Boost.Math, with the logistic family in long double.
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
#include <utility>

#include "case.hpp"

namespace stochos::conformance {

namespace {

using L = long double;

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
double log_ndtr(double x) {
  return std::log(0.5 * std::erfc(-x / std::sqrt(2.0)));
}
double sign(double x) {
  return x > 0 ? 1 : (x < 0 ? -1 : 0);
}

struct Unary {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*ref)(double);
  double lo, hi;
};

const Unary kUnary[] = {
    {"neg", graph::neg, [](double x) { return -x; }, -3, 3},
    {"abs", graph::abs, [](double x) { return std::abs(x); }, -3, 3},
    {"sign", graph::sign, sign, -3, 3},
    {"square", graph::square, [](double x) { return x * x; }, -3, 3},
    {"exp", graph::exp, [](double x) { return std::exp(x); }, -3, 3},
    {"expm1", graph::expm1, [](double x) { return std::expm1(x); }, -3, 3},
    {"log", graph::log, [](double x) { return std::log(x); }, 0.1, 4},
    {"log1p", graph::log1p, [](double x) { return std::log1p(x); }, -0.5, 3},
    {"sqrt", graph::sqrt, [](double x) { return std::sqrt(x); }, 0.1, 4},
    {"sigmoid", graph::sigmoid, sigmoid, -4, 4},
    {"log_sigmoid", graph::log_sigmoid, log_sigmoid, -4, 4},
    {"softplus", graph::softplus, softplus, -4, 4},
    {"tanh", graph::tanh, [](double x) { return std::tanh(x); }, -3, 3},
    {"sin", graph::sin, [](double x) { return std::sin(x); }, -3, 3},
    {"cos", graph::cos, [](double x) { return std::cos(x); }, -3, 3},
    {"lgamma", graph::lgamma, [](double x) { return std::lgamma(x); }, 0.3, 6},
    {"digamma", graph::digamma, [](double x) { return boost::math::digamma(x); }, 0.3, 6},
    {"trigamma", graph::trigamma, [](double x) { return boost::math::trigamma(x); }, 0.3, 6},
    {"erf", graph::erf, [](double x) { return std::erf(x); }, -2.5, 2.5},
    {"erfc", graph::erfc, [](double x) { return std::erfc(x); }, -2.5, 2.5},
    {"log_ndtr", graph::log_ndtr, log_ndtr, -5, 5},
};

struct Binary {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  double (*ref)(double, double);
  double alo, ahi, blo, bhi;
};

const Binary kBinary[] = {
    {"add", graph::add, [](double a, double b) { return a + b; }, -3, 3, -3, 3},
    {"sub", graph::sub, [](double a, double b) { return a - b; }, -3, 3, -3, 3},
    {"mul", graph::mul, [](double a, double b) { return a * b; }, -3, 3, -3, 3},
    {"div", graph::div, [](double a, double b) { return a / b; }, -3, 3, 0.5, 2.5},
    {"pow", graph::pow, [](double a, double b) { return std::pow(a, b); }, 0.5, 3, -2, 2},
    {"maximum", graph::maximum, [](double a, double b) { return std::max(a, b); }, -3, 3, -3, 3},
    {"minimum", graph::minimum, [](double a, double b) { return std::min(a, b); }, -3, 3, -3, 3},
};

struct ShapePair {
  const char* suffix;
  Shape a, b;
};

const ShapePair kPairs[] = {{"same", {3, 4}, {3, 4}},  {"outer", {3, 1}, {1, 4}},
                            {"scalar_a", {}, {2, 3}},  {"scalar_b", {2, 3}, {}},
                            {"trailing", {2, 3}, {3}}, {"rank3", {2, 1, 4}, {3, 1}},
                            {"empty", {0}, {0}},       {"empty_2d", {2, 0}, {1, 0}}};

struct Compare {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  bool (*ref)(double, double);
};

const Compare kCompare[] = {
    {"less", graph::less, [](double a, double b) { return a < b; }},
    {"less_equal", graph::less_equal, [](double a, double b) { return a <= b; }},
    {"greater", graph::greater, [](double a, double b) { return a > b; }},
    {"greater_equal", graph::greater_equal, [](double a, double b) { return a >= b; }},
    {"equal", graph::equal, [](double a, double b) { return a == b; }},
    {"not_equal", graph::not_equal, [](double a, double b) { return a != b; }},
};

}  // namespace

std::vector<Case> elementwise_cases() {
  std::vector<Case> cases;
  for (const Unary& u : kUnary) {
    for (const auto& [suffix, shape] :
         {std::pair<const char*, Shape>{"", {5, 7}}, {"_scalar", {}}}) {
      Case c;
      c.name = std::string(u.name) + suffix;
      c.ops = {u.name};
      c.inputs = {Input{shape, DType::f64, u.lo, u.hi}};
      const auto op = u.op;
      const auto ref = u.ref;
      c.build = [op](const std::vector<Tensor>& x) { return op(x[0]); };
      c.reference = [ref, shape](const std::vector<Values>& v) { return map1(v[0], shape, ref); };
      // lgamma, digamma and trigamma: Boost and libm agree to a few ulps, not to one.
      c.tolerance = 1e-13;
      // float32: a few float ulps (6e-8 each) of the float64 result on the same rounded inputs.
      c.f32_tolerance = suffix[0] == '\0' ? 2e-6 : 0;
      // trigamma's derivative needs tetragamma, which is not in the op table: no gradient
      // (tested as an error in tests/autodiff, listed as a gap in the coverage table).
      c.gradient = std::string(u.name) != "trigamma";
      cases.push_back(std::move(c));
    }
  }
  for (const Binary& b : kBinary) {
    for (const ShapePair& p : kPairs) {
      Case c;
      c.name = std::string(b.name) + "_" + p.suffix;
      c.ops = {b.name};
      c.inputs = {Input{p.a, DType::f64, b.alo, b.ahi}, Input{p.b, DType::f64, b.blo, b.bhi}};
      const auto op = b.op;
      const auto ref = b.ref;
      const Shape sa = p.a, sb = p.b;
      c.build = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
      c.reference = [ref, sa, sb](const std::vector<Values>& v) {
        return map2(v[0], sa, v[1], sb, ref);
      };
      c.tolerance = 1e-14;
      c.f32_tolerance =
          std::string(p.suffix) == "outer" || std::string(p.suffix) == "rank3" ? 1e-6 : 0;
      cases.push_back(std::move(c));
    }
  }
  // Integer arithmetic is exact.
  for (const Binary& b : kBinary) {
    if (std::string(b.name) == "div" || std::string(b.name) == "pow") continue;
    Case c;
    c.name = std::string(b.name) + "_int64";
    c.ops = {b.name};
    c.inputs = {Input{{2, 3}, DType::i64, -9, 9, {}, false, true},
                Input{{3}, DType::i64, -9, 9, {}, false, true}};
    const auto op = b.op;
    const auto ref = b.ref;
    c.build = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
    c.reference = [ref](const std::vector<Values>& v) {
      return map2(v[0], {2, 3}, v[1], {3}, ref);
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  for (const Compare& k : kCompare) {
    for (DType d : {DType::f64, DType::i64}) {
      Case c;
      c.name = std::string(k.name) + (d == DType::f64 ? "" : "_int64");
      c.ops = {k.name};
      // Integers in a small range, so that equal pairs occur.
      c.inputs = {Input{{3, 1}, d, -2, 2, {}, false, true},
                  Input{{1, 4}, d, -2, 2, {}, false, true}};
      const auto op = k.op;
      const auto ref = k.ref;
      c.build = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
      c.reference = [ref](const std::vector<Values>& v) {
        return map2(v[0], {3, 1}, v[1], {1, 4},
                    [ref](double a, double b) { return ref(a, b) ? 1.0 : 0.0; });
      };
      c.tolerance = 0;
      c.gradient = false;
      cases.push_back(std::move(c));
    }
  }
  const Values bools_a = {0, 0, 1, 1}, bools_b = {0, 1, 0, 1};
  const std::pair<const char*, std::function<Tensor(const std::vector<Tensor>&)>> logical[] = {
      {"logical_and", [](const std::vector<Tensor>& x) { return graph::logical_and(x[0], x[1]); }},
      {"logical_or", [](const std::vector<Tensor>& x) { return graph::logical_or(x[0], x[1]); }},
      {"logical_not", [](const std::vector<Tensor>& x) { return graph::logical_not(x[0]); }},
  };
  for (const auto& [name, build] : logical) {
    Case c;
    c.name = name;
    c.ops = {name};
    c.inputs = {Input{{4}, DType::boolean, 0, 1, bools_a, false},
                Input{{4}, DType::boolean, 0, 1, bools_b, false}};
    c.build = build;
    const std::string n = name;
    c.reference = [n](const std::vector<Values>& v) {
      Expected e{{}, {4}};
      for (std::size_t i = 0; i < 4; ++i) {
        const bool a = v[0][i] != 0, b = v[1][i] != 0;
        e.values.push_back(n == "logical_and" ? a && b : n == "logical_or" ? a || b : !a);
      }
      return e;
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    // where(cond, a, b) broadcasting all three; the gradient flows to the chosen branch only.
    Case c;
    c.name = "where_broadcast";
    c.ops = {"where"};
    c.inputs = {Input{{3, 1}, DType::boolean, 0, 1, {1, 0, 1}, false}, Input{{1, 4}},
                Input{{}, DType::f64, -2, 2}};
    c.build = [](const std::vector<Tensor>& x) { return graph::where(x[0], x[1], x[2]); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {3, 4}};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 4; ++j)
          e.values.push_back(
              v[0][static_cast<std::size_t>(i)] != 0 ? v[1][static_cast<std::size_t>(j)] : v[2][0]);
      return e;
    };
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "cast_f64_to_int64_and_back";
    c.ops = {"cast"};
    c.inputs = {Input{{5}, DType::f64, 0, 0, {-2.7, -0.5, 0.0, 1.5, 3.9}, false}};
    c.build = [](const std::vector<Tensor>& x) {
      return graph::cast(graph::cast(x[0], DType::i64), DType::f64);
    };
    c.reference = [](const std::vector<Values>& v) {
      return map1(v[0], {5}, [](double x) { return std::trunc(x); });
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "cast_to_bool";
    c.ops = {"cast"};
    c.inputs = {Input{{4}, DType::f64, 0, 0, {-1.5, 0.0, 0.25, 7}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::cast(x[0], DType::boolean); };
    c.reference = [](const std::vector<Values>& v) {
      return map1(v[0], {4}, [](double x) { return x != 0 ? 1.0 : 0.0; });
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "cast_f32_roundtrip";
    c.ops = {"cast"};
    c.inputs = {Input{{3, 2}}};
    c.build = [](const std::vector<Tensor>& x) {
      return graph::cast(graph::cast(x[0], DType::f32), DType::f64) * 2.0;
    };
    c.reference = [](const std::vector<Values>& v) {
      return map1(v[0], {3, 2},
                  [](double x) { return 2.0 * static_cast<double>(static_cast<float>(x)); });
    };
    c.tolerance = 0;
    // Central differences cannot see through float32 rounding: values only.
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "clip";
    c.ops = {"maximum", "minimum"};
    c.inputs = {Input{{10}, DType::f64, -3, 3}};
    c.build = [](const std::vector<Tensor>& x) { return graph::clip(x[0], -1.0, 1.5); };
    c.reference = [](const std::vector<Values>& v) {
      return map1(v[0], {10}, [](double x) { return std::min(std::max(x, -1.0), 1.5); });
    };
    cases.push_back(std::move(c));
  }
  // neg, abs, sign and square keep int64 (exact), on a vector and a scalar.
  for (const Unary& u : kUnary) {
    const std::string name = u.name;
    if (name != "neg" && name != "abs" && name != "sign" && name != "square") continue;
    Case c;
    c.name = name + "_int64";
    c.ops = {u.name};
    c.inputs = {Input{{7}, DType::i64, 0, 0, {-9, -2, -1, 0, 1, 3, 9}, false}};
    const auto op = u.op;
    const auto ref = u.ref;
    c.build = [op](const std::vector<Tensor>& x) { return op(x[0]); };
    c.reference = [ref](const std::vector<Values>& v) { return map1(v[0], {7}, ref); };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  // Comparisons and maximum/minimum on NaN, infinities and signed zeros, every pair of them
  // ([7,1] against [1,7]). NaN compares false except under not_equal; -0 equals +0.
  const Values specials = {std::nan(""), -INFINITY, -1.5, -0.0, 0.0, 2.0, INFINITY};
  for (const Compare& k : kCompare) {
    Case c;
    c.name = std::string(k.name) + "_special_values";
    c.ops = {k.name};
    c.inputs = {Input{{7, 1}, DType::f64, 0, 0, specials, false},
                Input{{1, 7}, DType::f64, 0, 0, specials, false}};
    const auto op = k.op;
    const auto ref = k.ref;
    c.build = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
    c.reference = [ref](const std::vector<Values>& v) {
      return map2(v[0], {7, 1}, v[1], {1, 7},
                  [ref](double a, double b) { return ref(a, b) ? 1.0 : 0.0; });
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  for (const Binary& b : kBinary) {
    const std::string name = b.name;
    if (name != "maximum" && name != "minimum") continue;
    // NaN propagates, as in NumPy and torch (std::max would drop it depending on the side).
    Case c;
    c.name = name + "_nan";
    c.ops = {b.name};
    c.inputs = {Input{{7, 1}, DType::f64, 0, 0, specials, false},
                Input{{1, 7}, DType::f64, 0, 0, specials, false}};
    const auto op = b.op;
    const bool is_max = name == "maximum";
    c.build = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
    c.reference = [is_max](const std::vector<Values>& v) {
      return map2(v[0], {7, 1}, v[1], {1, 7}, [is_max](double a, double b) {
        if (std::isnan(a) || std::isnan(b)) return std::nan("");
        return is_max ? (a > b ? a : b) : (a < b ? a : b);
      });
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  for (const auto& [name, both] : {std::pair<const char*, bool>{"logical_and", true},
                                   std::pair<const char*, bool>{"logical_or", false}}) {
    // [3,1] with [1,4], drawn.
    Case c;
    c.name = std::string(name) + "_broadcast";
    c.ops = {name};
    c.inputs = {Input{{3, 1}, DType::boolean, 0, 1, {}, false, true},
                Input{{1, 4}, DType::boolean, 0, 1, {}, false, true}};
    const bool is_and = both;
    c.build = [is_and](const std::vector<Tensor>& x) {
      return is_and ? graph::logical_and(x[0], x[1]) : graph::logical_or(x[0], x[1]);
    };
    c.reference = [is_and](const std::vector<Values>& v) {
      return map2(v[0], {3, 1}, v[1], {1, 4}, [is_and](double a, double b) {
        return (is_and ? (a != 0 && b != 0) : (a != 0 || b != 0)) ? 1.0 : 0.0;
      });
    };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    // A scalar condition selects a whole array; a comparison computed in the graph feeds it.
    Case c;
    c.name = "where_scalar_condition";
    c.ops = {"where", "greater"};
    c.inputs = {Input{{}, DType::f64, 0, 0, {0.5}, false}, Input{{2, 3}}, Input{{2, 3}}};
    c.build = [](const std::vector<Tensor>& x) {
      return graph::where(graph::greater(x[0], graph::scalar_like(x[0], 0.0)), x[1], x[2]);
    };
    c.reference = [](const std::vector<Values>& v) { return Expected{v[1], {2, 3}}; };
    c.tolerance = 0;
    c.f32_tolerance = 1e-7;
    cases.push_back(std::move(c));
  }
  // where guarding a branch that is not finite where it is not selected: the values are the
  // selected branch, and the gradient of the unselected one is zero, not NaN.
  const auto guarded = [](std::string name, std::string op, Tensor (*f)(const Tensor&),
                          double (*ref)(double)) {
    Case c;
    c.name = std::move(name);
    c.ops = {"where", "greater", std::move(op)};
    c.inputs = {Input{{6}, DType::f64, 0, 0, {-2, -0.5, 0.25, 1, 3, -1e-3}}};
    c.build = [f](const std::vector<Tensor>& x) {
      return graph::where(graph::greater(x[0], graph::scalar_like(x[0], 0.0)), f(x[0]), -x[0]);
    };
    c.reference = [ref](const std::vector<Values>& v) {
      return map1(v[0], {6}, [ref](double x) { return x > 0 ? ref(x) : -x; });
    };
    return c;
  };
  cases.push_back(
      guarded("where_guards_log", "log", graph::log, [](double x) { return std::log(x); }));
  cases.push_back(
      guarded("where_guards_sqrt", "sqrt", graph::sqrt, [](double x) { return std::sqrt(x); }));
  {
    // The workaround for where_guards_sqrt (xfail.hpp): keep the unselected branch's argument
    // in the domain, so its rule is finite and the zero cotangent stays zero.
    Case c = guarded("where_double_guards_sqrt", "sqrt", graph::sqrt,
                     [](double x) { return std::sqrt(x); });
    c.build = [](const std::vector<Tensor>& x) {
      const Tensor pos = graph::greater(x[0], graph::scalar_like(x[0], 0.0));
      return graph::where(pos, graph::sqrt(graph::where(pos, x[0], graph::scalar_like(x[0], 1.0))),
                          -x[0]);
    };
    cases.push_back(std::move(c));
  }
  // Casts between every pair of dtypes: float -> int truncates toward zero, anything -> bool is
  // "!= 0", bool -> number is 0/1, float64 -> float32 rounds to nearest.
  struct CastCase {
    const char* name;
    DType from, to;
    Values x;
    double (*ref)(double);
  };
  const CastCase casts[] = {
      {"cast_f64_to_f32",
       DType::f64,
       DType::f32,
       {0.1, -1.0 / 3, 1e-40, 3e38, 1 + 1e-9},
       [](double x) { return static_cast<double>(static_cast<float>(x)); }},
      {"cast_f32_to_f64",
       DType::f32,
       DType::f64,
       {0.1, -1.0 / 3, 1e-30, 3e38, 7},
       [](double x) { return x; }},
      {"cast_f32_to_int64",
       DType::f32,
       DType::i64,
       {-2.75, -0.5, 0, 0.5, 1e6},
       [](double x) { return std::trunc(x); }},
      {"cast_int64_to_f64",
       DType::i64,
       DType::f64,
       {-9007199254740992.0, -3, 0, 5, 1e15},
       [](double x) { return x; }},
      {"cast_int64_to_f32",
       DType::i64,
       DType::f32,
       {-16777217, -3, 0, 5, 16777217},
       [](double x) { return static_cast<double>(static_cast<float>(x)); }},
      {"cast_int64_to_bool",
       DType::i64,
       DType::boolean,
       {-2, -1, 0, 1, 7},
       [](double x) { return x != 0 ? 1.0 : 0.0; }},
      {"cast_bool_to_f64", DType::boolean, DType::f64, {0, 1, 1, 0, 1}, [](double x) { return x; }},
      {"cast_bool_to_int64",
       DType::boolean,
       DType::i64,
       {1, 0, 0, 1, 1},
       [](double x) { return x; }},
  };
  for (const CastCase& k : casts) {
    Case c;
    c.name = k.name;
    c.ops = {"cast"};
    c.inputs = {Input{{5}, k.from, 0, 0, k.x, false}};
    const DType to = k.to;
    c.build = [to](const std::vector<Tensor>& x) { return graph::cast(x[0], to); };
    const auto ref = k.ref;
    c.reference = [ref](const std::vector<Values>& v) { return map1(v[0], {5}, ref); };
    c.tolerance = 0;
    c.gradient = false;
    cases.push_back(std::move(c));
  }
  {
    // pow at a zero base (0^b for b > 0 is 0, d/da and d/db are 0 there) and a negative base
    // with an integral exponent (real; d/da = b a^(b-1), d/db is not real, so b takes none).
    Case c;
    c.name = "pow_zero_base";
    c.ops = {"pow"};
    c.inputs = {Input{{4}, DType::f64, 0, 0, {0, 2, 0, 1.5}},
                Input{{4}, DType::f64, 0, 0, {2, 0, 3, -1}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::pow(x[0], x[1]); };
    c.reference = [](const std::vector<Values>& v) {
      return map2(v[0], {4}, v[1], {4}, [](double a, double b) { return std::pow(a, b); });
    };
    cases.push_back(c);
    c.name = "pow_negative_base";
    c.inputs = {Input{{4}, DType::f64, 0, 0, {-2, -0.5, -3, -1.25}},
                Input{{4}, DType::f64, 0, 0, {3, 2, -1, 4}, false}};
    cases.push_back(c);
  }
  return cases;
}

}  // namespace stochos::conformance
