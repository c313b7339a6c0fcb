// The pieces shared by the families over K categories (Categorical, OrderedLogistic).
#include "distributions/categories.hpp"

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

std::int64_t last_axis(const Tensor& t) {
  return static_cast<std::int64_t>(t.rank()) - 1;
}

// 0, 1, ..., k - 1 as a constant like x.
Tensor categories(const Tensor& x, std::int64_t k) {
  std::vector<double> v(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(i);
  return constant(x.graph(), {k}, std::move(v), x.dtype());
}

// The value's shape: the broadcast of the parameters' shapes without their category axis (eta
// has none).
Shape value_shape(const std::string& family, const std::vector<Shape>& with_axis,
                  const Shape& without) {
  Shape s = without;
  for (Shape w : with_axis) {
    if (w.empty())
      throw InputError(family + ": the categories run along the last axis of its parameter, " +
                       "which needs at least one axis");
    w.pop_back();
    const auto b = broadcast_shapes(s, w);
    if (!b) throw InputError(family + ": its parameters' shapes do not broadcast");
    s = *b;
  }
  return s;
}

// For values x and per-category terms v (categories on the last axis): v at each x's category,
// `fill` at the others (where a caller's log can take them without a NaN in its gradient).
Tensor at_category(const Tensor& x, const Tensor& v, double fill) {
  const std::int64_t k = v.shape().back();
  Shape s = x.shape();
  s.push_back(1);
  return where(equal(reshape(x, s), categories(x, k)), v, scalar_like(v, fill));
}
Tensor sum_last(const Tensor& t) {
  return sum(t, last_axis(t));
}

Tensor in_categories(const Tensor& x, std::int64_t k) {
  return logical_and(is_whole(x), between(x, scalar_like(x, 0.0), scalar_like(x, k - 1.0)));
}

// The first category where v is largest (PyMC's mode), along the last axis.
Tensor first_argmax(const Tensor& v) {
  const std::int64_t ax = last_axis(v), k = v.shape().back();
  const Tensor top = greater_equal(v, max(v, ax, /*keepdims=*/true));
  return min(where(top, categories(v, k), scalar_like(v, static_cast<double>(k))), ax);
}

// The category whose cumulative probability first exceeds a uniform draw.
double draw_category(Rng& rng, const std::vector<double>& p) {
  const double u = uniform01(rng);
  double cumulative = 0;
  for (std::size_t k = 0; k + 1 < p.size(); ++k) {
    cumulative += p[k];
    if (u < cumulative) return static_cast<double>(k);
  }
  return static_cast<double>(p.size() - 1);
}

}  // namespace stochos::distributions
