// The metric Stan's windows adapt by default (`--metric auto`): diagonal, or dense once the
// warm-up's draws show strong correlations.
//
// Note [automatic metric]
// A diagonal metric rescales each coordinate but cannot follow correlations between them
// (infer/draws_correlation.hpp): on a regression with two dozen coefficients correlated at 0.95,
// NUTS takes about 80 leapfrog steps per iteration where a dense metric needs about 14. A user
// should not have to know to ask for it, so Stan's windowed adaptation decides from the draws.
// At the end of each slow window, while the metric is still diagonal, it measures the condition
// number of the correlation matrix of (a) that window's draws and (b) all the windows' draws so
// far. When both are above kAutoDenseCondition, the window's covariance becomes a dense metric
// (regularised as Stan's dense adaptation: (n / (n + 5)) S + 1e-3 (5 / (n + 5)) I), and the
// later windows and sampling stay dense.
// - Why both, and why 500 and not the summary's warning threshold of 100: a funnel's windows look
//   correlated too. In the neck of the centred eight schools the thetas all follow mu, and a chain
//   stuck there for a window gives that window a condition number in the thousands (3 999 and
//   3 362, seeds 1-5, 4 chains, 50- and 100-draw windows). The pooled draws mix the neck with the
//   mouth and stay below 250 (largest 244); a posterior correlated everywhere is correlated in
//   both (the correlated regression: above 950 in every window from the second, pooled too). 500
//   sits between them with a factor of 2 either side, and still means sqrt(500) = 22 times the
//   leapfrog steps that a metric following the correlation needs. Between 100 and 500 the metric
//   stays diagonal and the summary's warning names the dense and low-rank metrics.
// - A window is judged only with at least kAutoWindowDrawsPerDim draws per coordinate, and the
//   pooled draws at least kAutoPooledDrawsPerDim: a sample correlation matrix of n independent
//   draws of d independent coordinates has a condition number of about
//   ((1 + sqrt(d/n)) / (1 - sqrt(d/n)))^2 (Marchenko-Pastur), 34 at n = 2d and 9 at n = 4d but
//   unbounded at n = d, and warm-up draws are autocorrelated. For 25 coordinates Stan's doubling
//   windows (25, 50, 100, ...) first qualify at the third (100 draws, 175 pooled).
// - Above kMaxCorrelationDim coordinates the metric stays diagonal: the covariance costs d^2 per
//   warm-up draw and a dense metric d^2 per leapfrog step (nutpie's low-rank metric,
//   `--adapt nutpie-lowrank`, is the choice there).
// Where no window qualifies (almost every model, the centred funnel included) the metric is the
// diagonal one and the draws are those of `--metric diag`, bit for bit. Each chain decides for
// itself, as each adapts its own metric.
#pragma once

#include <Eigen/Dense>
#include <string>

namespace stochos::infer {

// Which metric Stan's windows adapt: the diagonal, a dense one, or the diagonal until the draws
// call for a dense one (Note [automatic metric]).
enum class MetricKind { diag, dense, automatic };

inline constexpr double kAutoDenseCondition = 500;
inline constexpr long kAutoWindowDrawsPerDim = 2, kAutoPooledDrawsPerDim = 4;

// "diag", "dense" or "auto"; InputError otherwise.
MetricKind parse_metric_kind(const std::string& name);

// The covariance of n draws.
struct DrawsCovariance {
  Eigen::MatrixXd cov;
  long n = 0;
};

// Whether an automatic metric turns dense after a window (Note [automatic metric]); `pooled`: the
// draws of every window so far, this one included.
bool window_calls_for_dense(const DrawsCovariance& window, const DrawsCovariance& pooled);

}  // namespace stochos::infer
