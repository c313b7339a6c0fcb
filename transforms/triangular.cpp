#include "transforms/triangular.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include "stochos/error.hpp"

namespace stochos::transforms {

using namespace graph;

namespace {

bool strict(Triangle t) {
  return t != Triangle::lower;
}

std::int64_t packed_size(std::int64_t n, Triangle t) {
  return strict(t) ? n * (n - 1) / 2 : n * (n + 1) / 2;
}

// (row, column) of each packed value, in order.
std::vector<std::pair<std::int64_t, std::int64_t>> places(std::int64_t n, Triangle t) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      const bool in = t == Triangle::lower ? j <= i : t == Triangle::strict_lower ? j < i : j > i;
      if (in) out.emplace_back(i, j);
    }
  return out;
}

Tensor indices(Graph& g, Shape shape, const std::vector<std::int64_t>& v) {
  return constant(g, std::move(shape), std::vector<double>(v.begin(), v.end()), DType::i64);
}

std::int64_t side_of(const Tensor& matrix) {
  if (matrix.rank() != 2 || matrix.shape()[0] != matrix.shape()[1])
    throw InputError("expected a square matrix, got shape " + shape_str(matrix.shape()));
  return matrix.shape()[0];
}

}  // namespace

std::int64_t triangle_side(std::int64_t size, Triangle t, const std::string& what) {
  const std::int64_t least = strict(t) ? 2 : 1;
  for (std::int64_t n = least; packed_size(n, t) <= size; ++n)
    if (packed_size(n, t) == size) return n;
  throw InputError(
      what + ": " + std::to_string(size) + " values do not pack the " +
      (t == Triangle::lower ? "lower triangle (with its diagonal)" : "off-diagonal triangle") +
      " of a square matrix" + (strict(t) ? " of side 2 or more" : "") + " (n(n" +
      (strict(t) ? "-" : "+") + "1)/2 values for side n)");
}

Tensor unpack(const Tensor& packed, std::int64_t n, Triangle t, double fill) {
  if (packed.rank() != 1 || packed.shape()[0] != packed_size(n, t))
    throw InputError("expected " + std::to_string(packed_size(n, t)) +
                     " packed values, got shape " + shape_str(packed.shape()));
  const std::int64_t m = packed_size(n, t);
  std::vector<std::int64_t> at(static_cast<std::size_t>(n * n), m);  // m: the fill
  std::int64_t k = 0;
  for (const auto& [i, j] : places(n, t)) {
    at[static_cast<std::size_t>(i * n + j)] = k;
    if (t == Triangle::strict_upper) at[static_cast<std::size_t>(j * n + i)] = k;
    ++k;
  }
  Graph& g = packed.graph();
  const Tensor source = concat({packed, constant(g, Shape{1}, {fill}, packed.dtype())}, 0);
  return gather(source, indices(g, {n, n}, at));
}

Tensor pack(const Tensor& matrix, Triangle t) {
  const std::int64_t n = side_of(matrix);
  std::vector<std::int64_t> at;
  for (const auto& [i, j] : places(n, t)) at.push_back(i * n + j);
  const auto m = static_cast<std::int64_t>(at.size());
  return gather(reshape(matrix, {n * n}), indices(matrix.graph(), {m}, at));
}

Tensor log_sech(const Tensor& y) {
  // log sech y = log 2 - |y| - log(1 + exp(-2|y|)).
  const Tensor a = abs(y);
  return std::numbers::ln2 - a - softplus(-2.0 * a);
}

Tensor corr_cholesky_from_cpcs(const Tensor& y, std::int64_t n) {
  Graph& g = y.graph();
  const Tensor z = unpack(tanh(y), n, Triangle::strict_lower);
  const Tensor half_log_w = unpack(log_sech(y), n, Triangle::strict_lower);
  // sum_{m<k} log(1 - z[i][m]^2) / 2: the running sum before each place.
  const Tensor before = cumsum(half_log_w, 1) - half_log_w;
  const Tensor eye = diag(full(g, {n}, 1.0, y.dtype()));
  return (z + eye) * exp(before);  // zero above the diagonal, where z and eye are
}

Tensor cpcs_from_corr_cholesky(const Tensor& l) {
  side_of(l);
  const Tensor sq = square(l);
  // sum_{m>=k} L[i][m]^2 = the row's total less the running sum before k; positive on and below
  // the diagonal of a factor, and kept away from 0 above it (where the values are dropped).
  const Tensor rest = sum(sq, 1, /*keepdims=*/true) - (cumsum(sq, 1) - sq);
  const Tensor z =
      l / sqrt(where(greater(rest, scalar_like(rest, 0.0)), rest, scalar_like(rest, 1.0)));
  const Tensor zs = pack(z, Triangle::strict_lower);
  return 0.5 * (log1p(zs) - log1p(-zs));  // atanh
}

}  // namespace stochos::transforms
