// Transforms of vectors along their last axis: simplex (PyMC's) and ordered.
#include <cmath>

#include "stochos/error.hpp"
#include "transforms/transform.hpp"

namespace stochos::transforms {

namespace {

using namespace graph;

std::int64_t last_axis(const Tensor& t) {
  return static_cast<std::int64_t>(t.rank()) - 1;
}

// Vector transforms act along the last axis: a scalar has none.
void require_vector(const Shape& shape, const char* transform) {
  if (shape.empty())
    throw InputError(std::string("the ") + transform + " transform needs a vector, not a scalar");
}

// The simplex of K parts from K - 1 unconstrained values, as PyMC does it: append minus their
// sum (so the values are log-ratios centred on zero) and take the softmax.
class Simplex final : public Transform {
 public:
  std::string name() const override { return "simplex"; }
  Shape unconstrained_shape(const Shape& shape) const override {
    require_vector(shape, "simplex");
    Shape s = shape;
    s.back() -= 1;
    return s;
  }
  Tensor forward(const Tensor& x) const override {
    const std::int64_t ax = last_axis(x);
    const Tensor lx = log(x);
    const Tensor shift = mean(lx, ax, /*keepdims=*/true);
    return slice(lx, ax, 0, x.shape().back() - 1) - shift;
  }
  Tensor backward(const Tensor& y) const override {
    const std::int64_t ax = last_axis(y);
    const Tensor z = concat({y, -sum(y, ax, /*keepdims=*/true)}, ax);
    return exp(z - logsumexp(z, ax, /*keepdims=*/true));
  }
  // log |det d x[:K-1] / dy| = log K + K (s - logsumexp([y + s, 0])), s = sum(y).
  Tensor log_jac_det(const Tensor& y) const override {
    const std::int64_t ax = last_axis(y);
    const double k = static_cast<double>(y.shape().back() + 1);
    const Tensor s = sum(y, ax, /*keepdims=*/true);
    const Tensor expanded = concat({y + s, 0.0 * s}, ax);
    const Tensor res = std::log(k) + k * s - k * logsumexp(expanded, ax, /*keepdims=*/true);
    return sum(res, ax);
  }
};

// Increasing vectors: x[0] = y[0], x[i] = x[i-1] + exp(y[i]).
class Ordered final : public Transform {
 public:
  std::string name() const override { return "ordered"; }
  Shape unconstrained_shape(const Shape& shape) const override {
    require_vector(shape, "ordered");
    return shape;
  }
  Tensor forward(const Tensor& x) const override {
    const std::int64_t ax = last_axis(x), n = x.shape().back();
    if (n < 2) return x;
    const Tensor gaps = slice(x, ax, 1, n) - slice(x, ax, 0, n - 1);
    return concat({slice(x, ax, 0, 1), log(gaps)}, ax);
  }
  Tensor backward(const Tensor& y) const override {
    const std::int64_t ax = last_axis(y), n = y.shape().back();
    if (n < 2) return y;
    return cumsum(concat({slice(y, ax, 0, 1), exp(slice(y, ax, 1, n))}, ax), ax);
  }
  Tensor log_jac_det(const Tensor& y) const override {
    const std::int64_t ax = last_axis(y), n = y.shape().back();
    return sum(slice(y, ax, 1, n), ax);
  }
};

}  // namespace

std::unique_ptr<Transform> simplex_transform() {
  return std::make_unique<Simplex>();
}
std::unique_ptr<Transform> ordered_transform() {
  return std::make_unique<Ordered>();
}

}  // namespace stochos::transforms
