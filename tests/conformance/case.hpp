// The op conformance suite (DESIGN.md §8): one record per case, each checked on every registered
// backend — values against an independent reference (std::, Boost.Math, long double, closed
// forms, loops written here; never graph/scalar_math or Elementwise<>), gradients against central
// differences. A new engine joins by registering: the suite is parameterised by
// backends::all_backends().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace stochos::conformance {

using graph::DType;
using graph::Shape;
using graph::Tensor;
using Values = std::vector<double>;

// One input: its shape and dtype, and either fixed values or a uniform range to draw from.
struct Input {
  Shape shape;
  DType dtype = DType::f64;
  double lo = -2, hi = 2;
  Values values = {};          // fixed values (used when not empty)
  bool differentiable = true;  // take its gradient (float inputs only)
  bool integers = false;       // draw integers in [lo, hi]
  // A symmetric positive-definite n x n matrix, B B^T / n + I with B uniform in [lo, hi].
  // Finite differences move (i, j) and (j, i) together: cholesky's input must stay symmetric, and
  // its gradient is the symmetric one (Murray 2016).
  bool spd = false;
};

// A reference result: the values (row-major) and the shape.
struct Expected {
  Values values;
  Shape shape;
};

struct Case {
  std::string name;              // unique: also the test name
  std::vector<std::string> ops;  // the op-table entries it checks (for the coverage table)
  std::vector<Input> inputs;
  std::function<Tensor(const std::vector<Tensor>&)> build;
  std::function<Expected(const std::vector<Values>&)> reference;
  double tolerance = 1e-12;  // relative to max(1, |want|), float64
  // Relative to |want| alone (plus a few subnormal steps): for results far below 1, such as
  // softplus(-700) = 1e-304, which an absolute tolerance would accept as 0.
  bool relative = false;
  bool gradient = true;  // check the gradient of the float inputs marked differentiable
  // > 0: also run in float32 at this tolerance, against the float64 reference of the rounded
  // inputs, itself rounded to float32 (so what underflows float32 is 0).
  double f32_tolerance = 0;
  // build returns a gradient (autodiff::grad of a composite), so the value check compares a
  // first derivative with a closed form and the gradient check is a second-derivative check.
  bool second_order = false;
};

// A case from its name, ops, inputs, graph and reference; the rest as Case's defaults.
Case make_case(std::string name, std::vector<std::string> ops, std::vector<Input> in,
               std::function<Tensor(const std::vector<Tensor>&)> build,
               std::function<Expected(const std::vector<Values>&)> reference);

// The cases, by family (one file each).
std::vector<Case> elementwise_cases();
std::vector<Case> reduction_cases();
std::vector<Case> shape_cases();
std::vector<Case> linalg_cases();
std::vector<Case> extreme_cases();
std::vector<Case> empty_cases();
std::vector<Case> hessian_cases();
std::vector<Case> scan_cases();
// Every case, built once.
const std::vector<Case>& all_cases();

// Reference helpers: NumPy broadcasting of two shapes, and the flat index of an element of the
// broadcast result in an operand of shape `in`.
Shape broadcast(const Shape& a, const Shape& b);
std::int64_t broadcast_index(std::int64_t flat, const Shape& out, const Shape& in);
// A unary/binary reference applied elementwise with broadcasting.
Expected map1(const Values& x, const Shape& s, const std::function<double(double)>& f);
Expected map2(const Values& a, const Shape& sa, const Values& b, const Shape& sb,
              const std::function<double(double, double)>& f);

// Element (i, j) of a row-major matrix with `cols` columns.
inline double at(const Values& m, std::int64_t cols, std::int64_t i, std::int64_t j) {
  return m[static_cast<std::size_t>(i * cols + j)];
}

}  // namespace stochos::conformance
