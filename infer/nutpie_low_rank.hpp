// nutpie's low-rank mass matrix, estimated from a window of draws and their gradients
// (Seyboldt; pymc-devs/nuts-rs, transform/adapt/low_rank.rs), `--adapt nutpie-lowrank`.
//
// Note [nutpie low-rank adaptation]
// A diagonal metric cannot follow a posterior whose coordinates are strongly correlated: the step
// size shrinks to the narrowest direction and trajectories grow long, to the maximum tree depth
// at worst (infer/draws_correlation.hpp measures it after the run). A
// dense metric follows it but costs O(d^2) per leapfrog step and needs many draws to estimate.
// nutpie keeps the diagonal and corrects it where the draws show that it is wrong:
// 1. The diagonal scaling S^2 = sqrt(Var(draws) / Var(gradients)) per coordinate (Note [nutpie
//    adaptation]). In the scaled space (draws x / S, gradients g S, both centred) a posterior the
//    diagonal fits has draw covariance I and gradient covariance I.
// 2. The draws and gradients of the window span at most 2n directions; only there can the data
//    say anything, so the estimate is made in an orthonormal basis Q of that span (a pivoted QR).
// 3. There, with C_x = P P^T / gamma + I and C_g = R R^T / gamma + I (P, R the projected draws and
//    gradients; gamma = 1e-5 regularises towards I), the metric is the SPD geometric mean of C_x
//    and C_g^-1, the matrix A with A C_g A = C_x: C_g^-1/2 (C_g^1/2 C_x C_g^1/2)^1/2 C_g^-1/2. For
//    a normal posterior N(mu, Sigma) the gradients are -Sigma^-1 (x - mu), so C_g^-1 is
//    Sigma C_x^-1 Sigma, and once the draws span the space (n >= d) the mean is Sigma itself
//    (gamma aside), whatever the sampling error of C_x: the gradients correct it.
// 4. Its eigenvalues outside [1/c, c] (c = 2) are the directions where the diagonal is wrong by
//    more than a factor of 2; those are kept (the farthest from 1 first, at most `max_rank`) with
//    their eigenvectors U = Q V, orthonormal in R^d. The rest of the space keeps the diagonal.
// The inverse metric is S (I + U (Lambda - I) U^T) S (infer/low_rank_metric.hpp): O(d k) per step.
// NutpieMetricAdaptation (infer/nutpie_adaptation.hpp) supplies the windows: the draws since the
// last-but-one switch, re-estimated at each switch and every 20 draws between.
#pragma once

#include <Eigen/Dense>
#include <optional>

#include "infer/low_rank_metric.hpp"

namespace stochos::infer {

struct LowRankOptions {
  double gamma = 1e-5;  // nuts-rs's regularisation
  double cutoff = 2;    // eigenvalues inside [1/cutoff, cutoff] are dropped
  Eigen::Index max_rank = 100;
};

// The metric from draws and gradients (d x n, one column per draw); nullopt when a coordinate's
// variances give no finite positive scale (too few or identical draws).
std::optional<LowRankMetric> estimate_low_rank_metric(const Eigen::MatrixXd& draws,
                                                      const Eigen::MatrixXd& grads,
                                                      const LowRankOptions& o = {});

// The SPD geometric mean of a and b^-1 (step 3 above), for symmetric positive definite a, b.
Eigen::MatrixXd spd_mean(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

}  // namespace stochos::infer
