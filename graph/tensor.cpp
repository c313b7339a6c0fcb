#include "graph/tensor.hpp"

#include <cmath>

#include "graph/error.hpp"

namespace stochos::graph {
namespace {

Graph& graph_of(const std::vector<Tensor>& xs, Op op) {
  if (xs.empty() || !xs[0].valid())
    throw GraphError(std::string(op_name(op)) + ": empty tensor handle");
  Graph& g = xs[0].graph();
  for (const auto& x : xs)
    if (!x.valid() || &x.graph() != &g)
      throw GraphError(std::string(op_name(op)) + ": inputs belong to different graphs");
  return g;
}

Tensor to_float(const Tensor& x) {
  return is_float(x.dtype()) ? x : cast(x, DType::f64);
}

// Brings a and b to their promoted dtype; `need_float` promotes integers to float64 as well.
std::pair<Tensor, Tensor> promoted(const Tensor& a, const Tensor& b, bool need_float) {
  DType d = promote(a.dtype(), b.dtype());
  if (need_float && !is_float(d)) d = DType::f64;
  return {cast(a, d), cast(b, d)};
}

Tensor unary_float(Op op, const Tensor& x) {
  return apply(op, {to_float(x)});
}

Tensor binary(Op op, const Tensor& a, const Tensor& b, bool need_float) {
  auto [x, y] = promoted(a, b, need_float);
  return apply(op, {x, y});
}

// A plain number beside tensor x: x's dtype when it represents the number exactly.
Tensor weak_scalar(const Tensor& x, double v) {
  DType d = x.dtype();
  if (d == DType::boolean || (d == DType::i64 && v != std::trunc(v))) d = DType::f64;
  return constant(x.graph(), v, d);
}

std::vector<std::int64_t> reduce_attrs(std::int64_t axis, bool keep) {
  return {axis, keep ? 1 : 0};
}

}  // namespace

Tensor constant(Graph& g, double value, DType dtype) {
  return {g, g.scalar(value, dtype)};
}
Tensor constant(Graph& g, Shape shape, std::vector<double> values, DType dtype) {
  return {g, g.constant(dtype, std::move(shape), std::move(values))};
}
Tensor full(Graph& g, const Shape& shape, double value, DType dtype) {
  // A copy: shape may be some node's, which constant() moves (Note [node references] in
  // graph/graph.cpp).
  Shape target = shape;
  return broadcast_to(constant(g, value, dtype), std::move(target));
}
Tensor input(Graph& g, std::string name, DType dtype, Shape shape) {
  return {g, g.input(std::move(name), dtype, std::move(shape))};
}
Tensor scalar_like(const Tensor& x, double value) {
  return constant(x.graph(), value, is_float(x.dtype()) ? x.dtype() : DType::f64);
}

Tensor apply(Op op, const std::vector<Tensor>& inputs, std::vector<std::int64_t> ints) {
  Graph& g = graph_of(inputs, op);
  std::vector<NodeId> ids;
  ids.reserve(inputs.size());
  for (const auto& t : inputs) ids.push_back(t.id());
  return {g, g.add(op, std::move(ids), std::move(ints))};
}

Tensor neg(const Tensor& x) {
  return apply(Op::neg, {x.dtype() == DType::boolean ? cast(x, DType::i64) : x});
}
Tensor abs(const Tensor& x) {
  return apply(Op::abs, {x.dtype() == DType::boolean ? cast(x, DType::i64) : x});
}
Tensor sign(const Tensor& x) {
  return apply(Op::sign, {x.dtype() == DType::boolean ? cast(x, DType::i64) : x});
}
Tensor square(const Tensor& x) {
  return apply(Op::square, {x.dtype() == DType::boolean ? cast(x, DType::i64) : x});
}
Tensor exp(const Tensor& x) {
  return unary_float(Op::exp, x);
}
Tensor expm1(const Tensor& x) {
  return unary_float(Op::expm1, x);
}
Tensor log(const Tensor& x) {
  return unary_float(Op::log, x);
}
Tensor log1p(const Tensor& x) {
  return unary_float(Op::log1p, x);
}
Tensor sqrt(const Tensor& x) {
  return unary_float(Op::sqrt, x);
}
Tensor sigmoid(const Tensor& x) {
  return unary_float(Op::sigmoid, x);
}
Tensor log_sigmoid(const Tensor& x) {
  return unary_float(Op::log_sigmoid, x);
}
Tensor softplus(const Tensor& x) {
  return unary_float(Op::softplus, x);
}
Tensor tanh(const Tensor& x) {
  return unary_float(Op::tanh, x);
}
Tensor sin(const Tensor& x) {
  return unary_float(Op::sin, x);
}
Tensor cos(const Tensor& x) {
  return unary_float(Op::cos, x);
}
Tensor lgamma(const Tensor& x) {
  return unary_float(Op::lgamma, x);
}
Tensor digamma(const Tensor& x) {
  return unary_float(Op::digamma, x);
}
Tensor trigamma(const Tensor& x) {
  return unary_float(Op::trigamma, x);
}
Tensor erf(const Tensor& x) {
  return unary_float(Op::erf, x);
}
Tensor erfc(const Tensor& x) {
  return unary_float(Op::erfc, x);
}
Tensor log_ndtr(const Tensor& x) {
  return unary_float(Op::log_ndtr, x);
}
Tensor logit(const Tensor& p) {
  return log(p) - log1p(-to_float(p));
}

Tensor add(const Tensor& a, const Tensor& b) {
  return binary(Op::add, a, b, false);
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary(Op::sub, a, b, false);
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary(Op::mul, a, b, false);
}
Tensor div(const Tensor& a, const Tensor& b) {
  return binary(Op::div, a, b, true);
}
Tensor pow(const Tensor& a, const Tensor& b) {
  return binary(Op::pow, a, b, true);
}
Tensor pow(const Tensor& a, double b) {
  return pow(a, scalar_like(a, b));
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary(Op::maximum, a, b, false);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary(Op::minimum, a, b, false);
}
Tensor clip(const Tensor& x, double lo, double hi) {
  return minimum(maximum(x, weak_scalar(x, lo)), weak_scalar(x, hi));
}

Tensor less(const Tensor& a, const Tensor& b) {
  return binary(Op::less, a, b, false);
}
Tensor less_equal(const Tensor& a, const Tensor& b) {
  return binary(Op::less_equal, a, b, false);
}
Tensor greater(const Tensor& a, const Tensor& b) {
  return binary(Op::greater, a, b, false);
}
Tensor greater_equal(const Tensor& a, const Tensor& b) {
  return binary(Op::greater_equal, a, b, false);
}
Tensor equal(const Tensor& a, const Tensor& b) {
  return binary(Op::equal, a, b, false);
}
Tensor not_equal(const Tensor& a, const Tensor& b) {
  return binary(Op::not_equal, a, b, false);
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return apply(Op::logical_and, {cast(a, DType::boolean), cast(b, DType::boolean)});
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return apply(Op::logical_or, {cast(a, DType::boolean), cast(b, DType::boolean)});
}
Tensor logical_not(const Tensor& a) {
  return apply(Op::logical_not, {cast(a, DType::boolean)});
}
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  auto [x, y] = promoted(a, b, false);
  return apply(Op::where, {cast(cond, DType::boolean), x, y});
}
Tensor cast(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return apply(Op::cast, {x}, {static_cast<std::int64_t>(dtype)});
}

Tensor operator-(const Tensor& x) {
  return neg(x);
}
Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
Tensor operator+(const Tensor& a, double b) {
  return add(a, weak_scalar(a, b));
}
Tensor operator-(const Tensor& a, double b) {
  return sub(a, weak_scalar(a, b));
}
Tensor operator*(const Tensor& a, double b) {
  return mul(a, weak_scalar(a, b));
}
Tensor operator/(const Tensor& a, double b) {
  return div(a, weak_scalar(a, b));
}
Tensor operator+(double a, const Tensor& b) {
  return add(weak_scalar(b, a), b);
}
Tensor operator-(double a, const Tensor& b) {
  return sub(weak_scalar(b, a), b);
}
Tensor operator*(double a, const Tensor& b) {
  return mul(weak_scalar(b, a), b);
}
Tensor operator/(double a, const Tensor& b) {
  return div(weak_scalar(b, a), b);
}

#define STOCHOS_REDUCTION(name, prep)                                 \
  Tensor name(const Tensor& x) {                                      \
    return apply(Op::name, {prep(x)}, reduce_attrs(kAllAxes, false)); \
  }                                                                   \
  Tensor name(const Tensor& x, std::int64_t axis, bool keepdims) {    \
    return apply(Op::name, {prep(x)}, reduce_attrs(axis, keepdims));  \
  }
namespace {
Tensor numeric(const Tensor& x) {
  return x.dtype() == DType::boolean ? cast(x, DType::i64) : x;
}
}  // namespace
STOCHOS_REDUCTION(sum, numeric)
STOCHOS_REDUCTION(prod, numeric)
STOCHOS_REDUCTION(max, numeric)
STOCHOS_REDUCTION(min, numeric)
STOCHOS_REDUCTION(logsumexp, to_float)
#undef STOCHOS_REDUCTION

Tensor mean(const Tensor& x) {
  return sum(to_float(x)) / static_cast<double>(std::max<std::int64_t>(x.size(), 0));
}
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims) {
  const auto ax = normalize_axis(axis, x.rank());
  if (!ax)
    throw GraphError("mean: axis " + std::to_string(axis) + " is out of range for shape " +
                     shape_str(x.shape()));
  return sum(to_float(x), axis, keepdims) /
         static_cast<double>(x.shape()[static_cast<std::size_t>(*ax)]);
}

Tensor reshape(const Tensor& x, Shape shape) {
  if (shape == x.shape()) return x;
  return apply(Op::reshape, {x}, std::move(shape));
}
Tensor broadcast_to(const Tensor& x, Shape shape) {
  if (shape == x.shape()) return x;
  return apply(Op::broadcast_to, {x}, std::move(shape));
}
Tensor transpose(const Tensor& x) {
  std::vector<std::int64_t> perm(x.rank());
  for (std::size_t i = 0; i < perm.size(); ++i)
    perm[i] = static_cast<std::int64_t>(perm.size() - 1 - i);
  return transpose(x, std::move(perm));
}
Tensor transpose(const Tensor& x, std::vector<std::int64_t> perm) {
  bool identity = perm.size() == x.rank();
  for (std::size_t i = 0; identity && i < perm.size(); ++i)
    identity = perm[i] == static_cast<std::int64_t>(i);
  if (identity) return x;
  return apply(Op::transpose, {x}, std::move(perm));
}
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis) {
  if (xs.size() == 1) return xs[0];
  DType d = xs.empty() ? DType::f64 : xs[0].dtype();
  for (const auto& x : xs) d = promote(d, x.dtype());
  std::vector<Tensor> ys;
  for (const auto& x : xs) ys.push_back(cast(x, d));
  return apply(Op::concat, ys, {axis});
}
Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis) {
  if (xs.empty()) throw GraphError("stack: needs at least one input");
  const auto ax = normalize_axis(axis, xs[0].rank() + 1);
  if (!ax) throw GraphError("stack: axis " + std::to_string(axis) + " is out of range");
  std::vector<Tensor> ys;
  for (const auto& x : xs) {
    Shape s = x.shape();
    s.insert(s.begin() + *ax, 1);
    ys.push_back(reshape(x, s));
  }
  if (ys.size() == 1) return ys[0];
  return concat(ys, *ax);
}

Tensor slice(const Tensor& x, std::int64_t axis, std::optional<std::int64_t> start,
             std::optional<std::int64_t> stop, std::int64_t step) {
  const auto ax = normalize_axis(axis, x.rank());
  if (!ax)
    throw GraphError("slice: axis " + std::to_string(axis) + " is out of range for shape " +
                     shape_str(x.shape()));
  if (step == 0) throw GraphError("slice: step must not be zero");
  const std::int64_t n = x.shape()[static_cast<std::size_t>(*ax)];
  std::int64_t b, e, count;
  // Python's rules for x[start:stop:step].
  if (step > 0) {
    b = start ? (*start < 0 ? std::max<std::int64_t>(*start + n, 0) : std::min(*start, n)) : 0;
    e = stop ? (*stop < 0 ? std::max<std::int64_t>(*stop + n, 0) : std::min(*stop, n)) : n;
    count = e > b ? (e - b + step - 1) / step : 0;
  } else {
    b = start ? (*start < 0 ? std::max<std::int64_t>(*start + n, -1) : std::min(*start, n - 1))
              : n - 1;
    e = stop ? (*stop < 0 ? std::max<std::int64_t>(*stop + n, -1) : std::min(*stop, n - 1)) : -1;
    count = b > e ? (b - e - step - 1) / (-step) : 0;
  }
  if (count == 0) b = 0;
  if (b == 0 && step == 1 && count == n) return x;
  std::vector<std::int64_t> ints;
  for (std::size_t k = 0; k < x.rank(); ++k) {
    if (static_cast<int>(k) == *ax)
      ints.insert(ints.end(), {b, step, count});
    else
      ints.insert(ints.end(), {0, 1, x.shape()[k]});
  }
  return apply(Op::slice, {x}, std::move(ints));
}

Tensor index(const Tensor& x, std::int64_t i) {
  if (x.rank() == 0) throw GraphError("index: cannot index a scalar");
  const std::int64_t n = x.shape()[0];
  if (i < -n || i >= n)
    throw GraphError("index: " + std::to_string(i) + " is out of range for shape " +
                     shape_str(x.shape()));
  if (i < 0) i += n;
  Tensor s = slice(x, 0, i, i + 1, 1);
  return reshape(s, Shape(x.shape().begin() + 1, x.shape().end()));
}

Tensor gather(const Tensor& x, const Tensor& indices) {
  return apply(Op::gather, {x, cast(indices, DType::i64)});
}
Tensor scatter_add(const Tensor& values, const Tensor& indices, std::int64_t rows) {
  return apply(Op::scatter_add, {values, cast(indices, DType::i64)}, {rows});
}
Tensor cumsum(const Tensor& x, std::int64_t axis) {
  return apply(Op::cumsum, {x.dtype() == DType::boolean ? cast(x, DType::i64) : x}, {axis});
}

Tensor sum_to(const Tensor& x, const Shape& target) {
  if (x.shape() == target) return x;
  // A copy: target may be some node's shape, and the sums below move the nodes (Note [node
  // references] in graph/graph.cpp).
  const Shape shape = target;
  const auto b = broadcast_shapes(shape, x.shape());
  if (!b || *b != x.shape())
    throw GraphError("sum_to: " + shape_str(x.shape()) + " is not a broadcast of " +
                     shape_str(shape));
  Tensor y = x;
  const std::size_t lead = x.rank() - shape.size();
  for (std::size_t k = 0; k < lead; ++k) y = sum(y, 0, false);
  for (std::size_t k = 0; k < shape.size(); ++k)
    if (shape[k] == 1 && y.shape()[k] != 1) y = sum(y, static_cast<std::int64_t>(k), true);
  return reshape(y, shape);
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  auto [x, y] = promoted(a, b, true);
  if (x.rank() == 1 && y.rank() == 1) return dot(x, y);
  if (x.rank() == 0 || y.rank() == 0 || x.rank() > 2 || y.rank() > 2)
    throw GraphError("matmul: needs matrices or vectors, got " + shape_str(x.shape()) + " and " +
                     shape_str(y.shape()));
  const std::vector<std::int64_t> flags{transpose_a ? 1 : 0, transpose_b ? 1 : 0};
  if (x.rank() == 1) {
    Tensor r = apply(Op::matmul, {reshape(x, {1, x.shape()[0]}), y}, {0, flags[1]});
    return reshape(r, {r.shape()[1]});
  }
  if (y.rank() == 1) {
    Tensor r = apply(Op::matmul, {x, reshape(y, {y.shape()[0], 1})}, {flags[0], 0});
    return reshape(r, {r.shape()[0]});
  }
  return apply(Op::matmul, {x, y}, flags);
}
Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.rank() != 1 || b.rank() != 1 || a.shape() != b.shape())
    throw GraphError("dot: needs two vectors of one length, got " + shape_str(a.shape()) + " and " +
                     shape_str(b.shape()));
  return sum(a * b);
}
Tensor diag(const Tensor& x) {
  if (x.rank() == 1) return apply(Op::diag_embed, {x});
  return apply(Op::diag_part, {x});
}
Tensor cholesky(const Tensor& a) {
  return apply(Op::cholesky, {to_float(a)});
}
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower, bool transpose_a) {
  auto [x, y] = promoted(a, b, true);
  const std::vector<std::int64_t> flags{lower ? 1 : 0, transpose_a ? 1 : 0};
  if (y.rank() == 1)
    return reshape(apply(Op::trsolve, {x, reshape(y, {y.shape()[0], 1})}, flags), y.shape());
  return apply(Op::trsolve, {x, y}, flags);
}
Tensor logdet_from_cholesky(const Tensor& chol) {
  return 2.0 * sum(log(diag(chol)));
}
Tensor tril(const Tensor& a, std::int64_t k) {
  if (a.rank() != 2) throw GraphError("tril: needs a matrix, got " + shape_str(a.shape()));
  const auto m = a.shape()[0], n = a.shape()[1];
  std::vector<double> mask(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      mask[static_cast<std::size_t>(i * n + j)] = j - i <= k ? 1.0 : 0.0;
  return where(constant(a.graph(), {m, n}, std::move(mask), DType::boolean), a,
               scalar_like(a, 0.0));
}

}  // namespace stochos::graph
