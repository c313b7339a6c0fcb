// The transforms of the LKJ distributions: correlation Cholesky factors from canonical partial
// correlations (Stan's cholesky_corr; Note [canonical partial correlations]), the packed
// correlations of LKJCorr through them (Stan's corr_matrix in PyMC's layout), and packed
// covariance Cholesky factors with a log diagonal (Stan's cholesky_factor_cov, PyMC's
// CholeskyCovPacked).
#include <vector>

#include "stochos/error.hpp"
#include "transforms/transform.hpp"
#include "transforms/triangular.hpp"

namespace stochos::transforms {

namespace {

using namespace graph;

void require_rank(const Shape& shape, std::size_t rank, const char* transform) {
  if (shape.size() != rank)
    throw InputError(std::string("the ") + transform + " transform needs a " +
                     (rank == 1 ? "vector" : "square matrix") + ", got shape " + shape_str(shape));
}

// sum over the partial correlations (i, k), i > k, of weight(i, k) log sech(y[i][k]): the
// log-Jacobians below are all of this form.
template <class Weight>
Tensor weighted_log_sech(const Tensor& y, std::int64_t n, Weight weight) {
  std::vector<double> w;
  for (std::int64_t i = 1; i < n; ++i)
    for (std::int64_t k = 0; k < i; ++k) w.push_back(static_cast<double>(weight(i, k)));
  const auto m = static_cast<std::int64_t>(w.size());
  return sum(constant(y.graph(), {m}, std::move(w), y.dtype()) * log_sech(y));
}

std::int64_t cpc_side(const Tensor& y, const char* transform) {
  require_rank(y.shape(), 1, transform);
  return triangle_side(y.shape()[0], Triangle::strict_lower, transform);
}

// The n x n lower-triangular factor L of a correlation matrix (unit rows, positive diagonal) from
// its n(n-1)/2 partial correlations' y.
class CholeskyCorr final : public Transform {
 public:
  std::string name() const override { return "cholesky_corr"; }
  Shape unconstrained_shape(const Shape& shape) const override {
    require_rank(shape, 2, "cholesky_corr");
    if (shape[0] != shape[1] || shape[0] < 2)
      throw InputError("the cholesky_corr transform needs a square matrix of side 2 or more, got " +
                       shape_str(shape));
    return {shape[0] * (shape[0] - 1) / 2};
  }
  Tensor forward(const Tensor& l) const override { return cpcs_from_corr_cholesky(l); }
  Tensor backward(const Tensor& y) const override {
    return corr_cholesky_from_cpcs(y, cpc_side(y, "cholesky_corr"));
  }
  // Of y -> the strictly-lower values of L: log(1 - z^2) = 2 log sech(y) from tanh, and
  // prod_{m<k} sqrt(1 - z[i][m]^2) = dL[i][k]/dz[i][k] along each row (triangular): each z[i][k]
  // appears in the i - 1 - k places after it. In all, (i - k + 1) log sech(y[i][k]).
  Tensor log_jac_det(const Tensor& y) const override {
    return weighted_log_sech(y, cpc_side(y, "cholesky_corr"),
                             [](std::int64_t i, std::int64_t k) { return i - k + 1; });
  }
};

// LKJCorr's value, the packed strict upper triangle of a correlation matrix C = L L^T, from the
// same y.
class CorrPacked final : public Transform {
 public:
  std::string name() const override { return "corr_packed"; }
  Shape unconstrained_shape(const Shape& shape) const override {
    require_rank(shape, 1, "corr_packed");
    triangle_side(shape[0], Triangle::strict_upper, "corr_packed");
    return shape;
  }
  Tensor forward(const Tensor& c) const override {
    require_rank(c.shape(), 1, "corr_packed");
    const std::int64_t n = triangle_side(c.shape()[0], Triangle::strict_upper, "corr_packed");
    return cpcs_from_corr_cholesky(cholesky(unpack(c, n, Triangle::strict_upper, 1.0)));
  }
  Tensor backward(const Tensor& y) const override {
    const Tensor l = corr_cholesky_from_cpcs(y, cpc_side(y, "corr_packed"));
    return pack(matmul(l, l, false, /*transpose_b=*/true), Triangle::strict_upper);
  }
  // cholesky_corr's, plus that of L's strictly-lower values -> C's: row i of C below the diagonal
  // is the leading i x i block of L times row i of L, so the map is block triangular with
  // determinant prod_i prod_{j<i} L[j][j], i.e. sum_j (n - 1 - j) log L[j][j], and log L[j][j] =
  // sum_{k<j} log sech(y[j][k]). In all, (n - k) log sech(y[i][k]) (Stan's corr_matrix).
  Tensor log_jac_det(const Tensor& y) const override {
    const std::int64_t n = cpc_side(y, "corr_packed");
    return weighted_log_sech(y, n, [n](std::int64_t, std::int64_t k) { return n - k; });
  }
};

// The packed lower triangle of a covariance Cholesky factor (LKJCholeskyCov's value): the
// diagonal, which must be positive, as exp(y); the rest as it is.
class CholeskyCovPacked final : public Transform {
 public:
  std::string name() const override { return "cholesky-cov-packed"; }
  Shape unconstrained_shape(const Shape& shape) const override {
    require_rank(shape, 1, "cholesky-cov-packed");
    triangle_side(shape[0], Triangle::lower, "cholesky-cov-packed");
    return shape;
  }
  Tensor forward(const Tensor& x) const override {
    const Tensor d = on_diagonal(x);
    return where(d, log(where(d, x, scalar_like(x, 1.0))), x);
  }
  Tensor backward(const Tensor& y) const override {
    const Tensor d = on_diagonal(y);
    // The off-diagonal values never reach exp, where they could overflow.
    return where(d, exp(where(d, y, scalar_like(y, 0.0))), y);
  }
  Tensor log_jac_det(const Tensor& y) const override {
    return sum(where(on_diagonal(y), y, scalar_like(y, 0.0)));
  }

 private:
  static Tensor on_diagonal(const Tensor& v) {
    require_rank(v.shape(), 1, "cholesky-cov-packed");
    const std::int64_t n = triangle_side(v.shape()[0], Triangle::lower, "cholesky-cov-packed");
    std::vector<double> d;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j <= i; ++j) d.push_back(i == j ? 1.0 : 0.0);
    const auto m = static_cast<std::int64_t>(d.size());
    return cast(constant(v.graph(), {m}, std::move(d), DType::f64), DType::boolean);
  }
};

}  // namespace

std::unique_ptr<Transform> cholesky_corr_transform() {
  return std::make_unique<CholeskyCorr>();
}
std::unique_ptr<Transform> corr_packed_transform() {
  return std::make_unique<CorrPacked>();
}
std::unique_ptr<Transform> cholesky_cov_packed_transform() {
  return std::make_unique<CholeskyCovPacked>();
}

}  // namespace stochos::transforms
