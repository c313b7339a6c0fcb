// Tensor: a handle (graph, node) with C++ operators and the functions models and gradient rules
// are written with. Functions apply NumPy-style type promotion (inserting casts) and accept plain
// numbers, which take the dtype of the tensor beside them.
#pragma once

#include <initializer_list>
#include <optional>
#include <vector>

#include "graph/graph.hpp"

namespace stochos::graph {

class Tensor {
 public:
  Tensor() = default;
  Tensor(Graph& g, NodeId id) : g_(&g), id_(id) {}

  Graph& graph() const { return *g_; }
  NodeId id() const { return id_; }
  const Node& node() const { return g_->node(id_); }
  DType dtype() const { return node().dtype; }
  const Shape& shape() const { return node().shape; }
  std::size_t rank() const { return node().shape.size(); }
  std::int64_t size() const { return numel(node().shape); }
  bool valid() const { return g_ != nullptr; }
  bool is_constant() const { return g_->is_constant(id_); }

 private:
  Graph* g_ = nullptr;
  NodeId id_ = 0;
};

// Sources.
Tensor constant(Graph& g, double value, DType dtype = DType::f64);
Tensor constant(Graph& g, Shape shape, std::vector<double> values, DType dtype = DType::f64);
Tensor full(Graph& g, const Shape& shape, double value, DType dtype = DType::f64);
Tensor input(Graph& g, std::string name, DType dtype, Shape shape);
// A scalar with x's float dtype (or float64 when x is not float).
Tensor scalar_like(const Tensor& x, double value);

// Applies any op directly, with the graph's rules (no promotion).
Tensor apply(Op op, const std::vector<Tensor>& inputs, std::vector<std::int64_t> ints = {});

// Elementwise.
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor log_sigmoid(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor lgamma(const Tensor& x);
Tensor digamma(const Tensor& x);
Tensor trigamma(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor erfc(const Tensor& x);
Tensor log_ndtr(const Tensor& x);  // log of the standard normal CDF
Tensor logit(const Tensor& p);     // log(p) - log1p(-p)

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor clip(const Tensor& x, double lo, double hi);

Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor cast(const Tensor& x, DType dtype);

Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// Reductions; no axis means every axis.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor logsumexp(const Tensor& x);
Tensor logsumexp(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims = false);

// Shape.
Tensor reshape(const Tensor& x, Shape shape);
Tensor broadcast_to(const Tensor& x, Shape shape);
Tensor transpose(const Tensor& x);  // reverses the axes
Tensor transpose(const Tensor& x, std::vector<std::int64_t> perm);
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis = 0);
Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis = 0);
// Python slice semantics on one axis: x[start:stop:step].
Tensor slice(const Tensor& x, std::int64_t axis, std::optional<std::int64_t> start,
             std::optional<std::int64_t> stop, std::int64_t step = 1);
// x[i] on axis 0 (negative i counts from the end): drops that axis.
Tensor index(const Tensor& x, std::int64_t i);
Tensor gather(const Tensor& x, const Tensor& indices);  // x[indices] along axis 0
Tensor scatter_add(const Tensor& values, const Tensor& indices, std::int64_t rows);
Tensor cumsum(const Tensor& x, std::int64_t axis = 0);
// Sums x down to `shape`, undoing a NumPy broadcast (the adjoint of broadcast_to).
Tensor sum_to(const Tensor& x, const Shape& shape);

// Linear algebra. matmul takes matrices and vectors (NumPy's @ for rank <= 2).
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor diag(const Tensor& x);  // vector -> diagonal matrix; matrix -> its diagonal
Tensor cholesky(const Tensor& a);
// Solves op(a) x = b for triangular a; b is a matrix or a vector.
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower = true,
                        bool transpose_a = false);
Tensor logdet_from_cholesky(const Tensor& chol);
Tensor tril(const Tensor& a, std::int64_t k = 0);  // zeroes above the k-th diagonal

}  // namespace stochos::graph
