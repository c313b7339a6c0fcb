// How correlated a run's posterior is, as a diagonal metric sees it: the condition number of the
// correlation matrix of the packed draws, pooled over the chains. A diagonal metric rescales each
// coordinate but not the correlations, so NUTS then steps at the scale of the correlation
// matrix's smallest eigenvalue over a length set by its largest: about sqrt(condition) leapfrog
// steps where a metric that follows the correlation (Note [nutpie low-rank adaptation], or a
// dense one) needs a few. The summary warns from it (diagnostics::SamplerReport).
#pragma once

#include "infer/sample.hpp"
#include "infer/trace.hpp"

namespace stochos::infer {

// Chains with more coordinates than this are not measured: the correlation matrix costs
// draws x d^2, a second on 4 000 draws of 500 coordinates.
inline constexpr Eigen::Index kMaxCorrelationDim = 200;

// The condition number over the chains that sampled with a diagonal metric (`--metric auto`
// turns dense per chain), or 0 when it says nothing about a diagonal metric's geometry: `o` did
// not run a Hamiltonian kernel over the whole vector with a diagonal metric (Stan's or nutpie's
// diagonal adaptation, or the automatic choice), no chain stayed diagonal, fewer than 2 or more
// than kMaxCorrelationDim coordinates vary, or there are fewer draws than coordinates. The
// options say which metric was asked for: a trace gathered from other processes (mpi/chains.hpp)
// carries only the metric's diagonal, so there every chain counts as diagonal.
double draws_correlation_condition(const Trace& trace, const SampleOptions& o);

// The condition number of the correlation matrix of a covariance `cov` over the coordinates whose
// variance is positive; 0 when fewer than 2 are. (The automatic metric's test of a warm-up
// window, Note [automatic metric].)
double covariance_correlation_condition(const Eigen::MatrixXd& cov);

}  // namespace stochos::infer
