// Triangles of n x n matrices packed into vectors, in PyMC's layouts, and the map from canonical
// partial correlations to the Cholesky factor of a correlation matrix (Note [canonical partial
// correlations]). The LKJ distributions and the Cholesky transforms share them.
#pragma once

#include <cstdint>
#include <string>

#include "graph/tensor.hpp"

namespace stochos::transforms {

using graph::Tensor;

// The layouts, each row by row:
//   lower:        (0,0), (1,0), (1,1), (2,0), ...  n(n+1)/2 values (LKJCholeskyCov's value)
//   strict lower: (1,0), (2,0), (2,1), (3,0), ...  n(n-1)/2 values (the partial correlations)
//   strict upper: (0,1), (0,2), ..., (1,2), ...     n(n-1)/2 values (LKJCorr's value)
enum class Triangle { lower, strict_lower, strict_upper };

// The side n of the matrix whose triangle packs into `size` values; an InputError naming `what`
// when no n >= 1 (>= 2 for the strict triangles) does.
std::int64_t triangle_side(std::int64_t size, Triangle t, const std::string& what);

// The n x n matrix with the packed values in their places and `fill` elsewhere; for
// strict_upper, the symmetric matrix (each value also at its mirror) with `fill` on the diagonal.
Tensor unpack(const Tensor& packed, std::int64_t n, Triangle t, double fill = 0.0);
// The triangle's values of an n x n matrix, packed.
Tensor pack(const Tensor& matrix, Triangle t);

// Note [canonical partial correlations]: Stan's correlation Cholesky transform. Each y maps to a
// canonical partial correlation z = tanh(y) in (-1, 1), one per strictly-lower place (i, k) of
// the factor L, and row i of L is
//   L[i][k] = z[i][k] sqrt(1 - sum_{m<k} L[i][m]^2),  L[i][i] = sqrt(1 - sum_{m<i} L[i][m]^2),
// which has unit length, so L L^T has a unit diagonal. Since 1 - sum_{m<=k} L[i][m]^2 is
// prod_{m<=k} (1 - z[i][m]^2), the square roots are exponentials of running sums of
// log sech(y) = log(1 - z^2) / 2, which stays finite however large |y| is.
//
// The factor from y, packed strict lower ([n(n-1)/2] -> [n, n]).
Tensor corr_cholesky_from_cpcs(const Tensor& y, std::int64_t n);
// The y of a correlation Cholesky factor ([n, n] -> [n(n-1)/2]): z[i][k] = L[i][k] / sqrt(sum_{m
// >= k} L[i][m]^2), y = atanh(z).
Tensor cpcs_from_corr_cholesky(const Tensor& l);
// log sech(y), elementwise, stable for every finite y.
Tensor log_sech(const Tensor& y);

}  // namespace stochos::transforms
