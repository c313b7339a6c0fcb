// L-BFGS after Stan's optimizer (src/stan/optimization: bfgs.hpp's BFGSMinimizer::step,
// bfgs_linesearch.hpp's WolfeLineSearch and WolfLSZoom, lbfgs_update.hpp's LBFGSUpdate). Stan
// minimises; here F = -f is minimised, so every value and gradient below is of F.
//
// Four departures from Stan, each for what Stan gets wrong or does not do:
//  - the line search tests sufficient decrease at the trial step, not at the first one, so
//    every accepted step satisfies the strong Wolfe conditions;
//  - an objective that keeps improving along the search direction (an improper density) is
//    followed until x or f leaves any sensible range, and reported as diverged, where Stan
//    gives up after 20 expansions with "Line search failed";
//  - a trial step where f is not finite is halved until it is, not 10 times at most;
//  - the first trial step is at most 1 long (below).
#include "infer/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <vector>

#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

using Eigen::VectorXd;

// Stan's LSOptions.
constexpr double kC1 = 1e-4, kC2 = 0.9, kMinAlpha = 1e-12;
// Stan backs off 10 times from a trial step where f is not finite; a badly scaled start (a
// gradient of 1e10 on the raw-dollar earnings regression) needs a step 1e-13 of Stan's first
// guess, so here halving goes on until the step would be below kMinAlpha (about 50 times).
constexpr int kMaxLsRestarts = 60;
constexpr double kZoomMinRange = 1e-16;
// Beyond these an objective is taken to grow without bound: log p above 1e300, or an
// unconstrained coordinate beyond 1e100 while log p still increases.
constexpr double kDivergedValue = 1e300, kDivergedX = 1e100;

enum Term {
  kSuccess = 0,
  kAbsX = 10,
  kAbsF = 20,
  kRelF = 21,
  kAbsGrad = 30,
  kRelGrad = 31,
  kMaxIt = 40,
  kLsFail = -1,
  kDiverged = -2
};

std::string term_message(int code) {
  switch (code) {
    case kAbsF:
      return "Convergence detected: absolute change in objective function was below tolerance";
    case kRelF:
      return "Convergence detected: relative change in objective function was below tolerance";
    case kAbsGrad:
      return "Convergence detected: gradient norm is below tolerance";
    case kRelGrad:
      return "Convergence detected: relative gradient magnitude is below tolerance";
    case kAbsX:
      return "Convergence detected: absolute parameter change was below tolerance";
    case kMaxIt:
      return "Maximum number of iterations hit, may not be at an optima";
    case kLsFail:
      return "Line search failed to achieve a sufficient decrease, no more progress can be made";
    default:
      return "the log density grew without bound: the parameters ran away (an improper density)";
  }
}

// F = -f and its gradient, counting evaluations; false where either is not finite.
class Negated {
 public:
  explicit Negated(const Objective& f) : f_(f) {}
  bool operator()(const VectorXd& x, double& value, VectorXd& grad) {
    ++evals;
    grad.resize(x.size());
    value = -f_(x, grad);
    grad = -grad;
    return std::isfinite(value) && grad.allFinite();
  }
  long evals = 0;

 private:
  const Objective& f_;
};

// Stan's CubicInterp: the minimiser on [lo, hi] of the cubic through (0, 0) with slope df0 and
// (x1, f1) with slope df1.
double cubic_interp(double df0, double x1, double f1, double df1, double lo, double hi) {
  const double c3 = (-12 * f1 + 6 * x1 * (df0 + df1)) / (x1 * x1 * x1);
  const double c2 = -(4 * df0 + 2 * df1) / x1 + 6 * f1 / (x1 * x1);
  const double c1 = df0;
  const double t = std::sqrt(c2 * c2 - 2.0 * c1 * c3);
  const double s1 = -(c2 + t) / c3, s2 = -(c2 - t) / c3;
  const auto cubic = [&](double s) { return s * (s * (s * c3 / 3.0 + c2) / 2.0 + c1); };
  double min_f = cubic(lo), min_x = lo;
  if (cubic(hi) < min_f) {
    min_f = cubic(hi);
    min_x = hi;
  }
  for (double s : {s1, s2})
    if (lo < s && s < hi && cubic(s) < min_f) {
      min_f = cubic(s);
      min_x = s;
    }
  return min_x;
}

// The trial point of a line search and where it ended.
struct Trial {
  VectorXd x, grad;
  double value = 0, alpha = 0;
};

// Stan's WolfLSZoom: shrinks [alo, ahi] until a step satisfies the strong Wolfe conditions.
bool zoom(Negated& func, const VectorXd& x0, double f0, double dfp, const VectorXd& p, double alo,
          double alo_f, double alo_dfp, double ahi, double ahi_f, double ahi_dfp, Trial& t) {
  const double c1dfp = kC1 * dfp, c2dfp = kC2 * dfp;
  for (int it = 1;; ++it) {
    if (std::fabs(alo - ahi) < kZoomMinRange) return false;
    double alpha;
    if (it % 5 == 0) {
      alpha = 0.5 * (alo + ahi);
    } else {
      const double d1 = alo_dfp + ahi_dfp - 3 * (alo_f - ahi_f) / (alo - ahi);
      double d2 = std::sqrt(d1 * d1 - alo_dfp * ahi_dfp);
      if (ahi < alo) d2 = -d2;
      alpha = ahi - (ahi - alo) * (ahi_dfp + d2 - d1) / (ahi_dfp - alo_dfp + 2 * d2);
      const double margin = 0.01 * std::fabs(alo - ahi);
      if (!std::isfinite(alpha) || alpha < std::min(alo, ahi) + margin ||
          alpha > std::max(alo, ahi) - margin)
        alpha = 0.5 * (alo + ahi);
    }
    t.x = x0 + alpha * p;
    while (!func(t.x, t.value, t.grad)) {
      alpha = 0.5 * (alpha + std::min(alo, ahi));
      if (std::fabs(std::min(alo, ahi) - alpha) < kZoomMinRange) return false;
      t.x = x0 + alpha * p;
    }
    const double dfp_new = t.grad.dot(p);
    if (t.value > f0 + alpha * c1dfp || t.value >= alo_f) {
      ahi = alpha;
      ahi_f = t.value;
      ahi_dfp = dfp_new;
    } else {
      if (std::fabs(dfp_new) <= -c2dfp) {
        t.alpha = alpha;
        return true;
      }
      if (dfp_new * (ahi - alo) >= 0) {
        ahi = alo;
        ahi_f = alo_f;
        ahi_dfp = alo_dfp;
      }
      alo = alpha;
      alo_f = t.value;
      alo_dfp = dfp_new;
    }
  }
}

enum class Search { found, failed, diverged };

// Stan's WolfeLineSearch from x0 along p with first trial step `alpha`.
Search wolfe_search(Negated& func, const VectorXd& x0, double f0, const VectorXd& g0,
                    const VectorXd& p, double alpha, Trial& t) {
  const double dfp = g0.dot(p), c1dfp = kC1 * dfp, c2dfp = kC2 * dfp;
  double alpha0 = kMinAlpha, alpha1 = alpha;
  double prev_f = f0, prev_dfp = dfp;
  int nits = 0, restarts = 0;
  for (;;) {
    t.x = x0 + alpha1 * p;
    if (!func(t.x, t.value, t.grad)) {
      if (restarts >= kMaxLsRestarts) return Search::failed;
      alpha1 = 0.5 * (alpha0 + alpha1);
      ++restarts;
      continue;
    }
    restarts = 0;
    const double dfp_new = t.grad.dot(p);
    if (t.value > f0 + alpha1 * c1dfp || (t.value >= prev_f && nits > 0))
      return zoom(func, x0, f0, dfp, p, alpha0, prev_f, prev_dfp, alpha1, t.value, dfp_new, t)
                 ? Search::found
                 : Search::failed;
    if (std::fabs(dfp_new) <= -c2dfp) {
      t.alpha = alpha1;
      return Search::found;
    }
    if (dfp_new >= 0)
      return zoom(func, x0, f0, dfp, p, alpha1, t.value, dfp_new, alpha0, prev_f, prev_dfp, t)
                 ? Search::found
                 : Search::failed;
    // Still descending steeply (and below the previous trial): a larger step. Past Stan's 20
    // expansions too, until F is clearly unbounded below along p; the factor 10 a trial ends
    // that within a few hundred evaluations.
    if (-t.value > kDivergedValue || t.x.lpNorm<Eigen::Infinity>() > kDivergedX)
      return Search::diverged;
    alpha0 = alpha1;
    prev_f = t.value;
    prev_dfp = dfp_new;
    alpha1 *= 10.0;
    ++nits;
  }
}

// Stan's LBFGSUpdate: the last `history` (s, y) pairs and the scaling y's / y'y of the initial
// inverse Hessian.
class LbfgsHistory {
 public:
  explicit LbfgsHistory(int size) : size_(static_cast<std::size_t>(std::max(size, 1))) {}

  // Adds a pair (a reset forgets the others first) and returns the scale y'y / s'y that a reset
  // applies to the step-size prediction. A pair without positive curvature is not kept.
  double update(const VectorXd& y, const VectorXd& s, bool reset) {
    const double sy = y.dot(s), yy = y.squaredNorm();
    if (reset) pairs_.clear();
    if (!(sy > 0) || !std::isfinite(sy) || !(yy > 0) || !std::isfinite(yy)) return 1.0;
    if (pairs_.size() == size_) pairs_.pop_front();
    pairs_.push_back({1.0 / sy, y, s});
    gamma_ = sy / yy;
    return reset ? yy / sy : 1.0;
  }

  // p = -H g by the two-loop recursion.
  VectorXd direction(const VectorXd& g) const {
    VectorXd p = -g;
    std::vector<double> alphas(pairs_.size());
    for (std::size_t i = pairs_.size(); i-- > 0;) {
      alphas[i] = pairs_[i].rho * pairs_[i].s.dot(p);
      p -= alphas[i] * pairs_[i].y;
    }
    p *= gamma_;
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const double beta = pairs_[i].rho * pairs_[i].y.dot(p);
      p += (alphas[i] - beta) * pairs_[i].s;
    }
    return p;
  }

 private:
  struct Pair {
    double rho;
    VectorXd y, s;
  };
  std::size_t size_;
  std::deque<Pair> pairs_;
  double gamma_ = 1.0;
};

}  // namespace

LbfgsResult lbfgs_maximize(const Objective& f, const Eigen::VectorXd& x0, const LbfgsOptions& o,
                           const std::function<void(const LbfgsIterate&)>& on_iterate) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  if (!x0.allFinite()) throw RuntimeError("L-BFGS: the initial point is not finite");
  Negated func(f);
  VectorXd xk = x0, gk;
  double fk = 0;
  if (!func(xk, fk, gk))
    throw RuntimeError(
        "L-BFGS: the log density or its gradient is not finite at the initial point");
  if (on_iterate) {
    const VectorXd grad = -gk;
    on_iterate({0, xk, -fk, grad});
  }

  LbfgsHistory history(o.history);
  VectorXd pk = -gk, pk_prev, xk_prev, gk_prev;
  double fk_prev = fk, alpha_prev = 0;
  int iteration = 0, code = kSuccess;
  double rel_grad = std::numeric_limits<double>::quiet_NaN();
  Trial t;
  while (code == kSuccess) {
    ++iteration;
    // Stan's step(): the first iteration and a failed search start from steepest descent.
    int reset = iteration == 1 ? 1 : 0;
    Search found = Search::failed;
    for (;;) {
      if (reset) pk = -gk;
      // Stan's first (or reset) trial step is init_alpha times the gradient: 1e7 on a
      // raw-dollar regression whose gradient is 1e10, after which one iteration "converges" on
      // the relative-gradient test far from the mode. Here that step is capped at length 1 in x
      // (Stan's whenever |g| <= 1 / init_alpha); the search expands it from there as Stan's does.
      double alpha = o.init_alpha * std::min(1.0, 1.0 / (o.init_alpha * pk.norm()));
      if (iteration > 1 && reset != 2) {
        alpha = std::min(1.0, 1.01 * cubic_interp(gk_prev.dot(pk_prev), alpha_prev, fk - fk_prev,
                                                  gk.dot(pk_prev), kMinAlpha, 1.0));
        if (!std::isfinite(alpha) || alpha <= 0) alpha = o.init_alpha;
      }
      found = wolfe_search(func, xk, fk, gk, pk, alpha, t);
      if (found != Search::failed || reset) break;
      reset = 2;
    }
    if (found == Search::failed) {
      code = kLsFail;
      break;
    }
    if (found == Search::diverged) {
      xk = t.x;
      fk = t.value;
      gk = t.grad;
      code = kDiverged;
      break;
    }

    const VectorXd sk = t.x - xk, yk = t.grad - gk;
    xk_prev = xk;
    fk_prev = fk;
    gk_prev = gk;
    pk_prev = pk;
    xk = t.x;
    fk = t.value;
    gk = t.grad;
    if (reset) {
      const double b0 = history.update(yk, sk, true);
      pk_prev /= b0;
      alpha_prev = t.alpha * b0;
    } else {
      history.update(yk, sk, false);
      alpha_prev = t.alpha;
    }
    pk = history.direction(gk);
    if (on_iterate) {
      const VectorXd grad = -gk;
      on_iterate({iteration, xk, -fk, grad});
    }

    // Stan's convergence tests, in Stan's order.
    const double rel_obj =
        std::fabs(fk_prev - fk) / std::max({std::fabs(fk_prev), std::fabs(fk), 1.0});
    rel_grad = -pk.dot(gk) / std::max(std::fabs(fk), 1.0);
    if (std::fabs(fk_prev - fk) < o.tol_obj)
      code = kAbsF;
    else if (gk.norm() < o.tol_grad)
      code = kAbsGrad;
    else if (sk.norm() < o.tol_param)
      code = kAbsX;
    else if (iteration >= o.max_iterations)
      code = kMaxIt;
    else if (rel_obj < o.tol_rel_obj * eps)
      code = kRelF;
    else if (rel_grad < o.tol_rel_grad * eps)
      code = kRelGrad;
  }

  LbfgsResult r;
  r.x = xk;
  r.grad = -gk;
  r.value = -fk;
  r.iterations = iteration;
  r.grad_evals = func.evals;
  r.converged = code > 0 && code != kMaxIt;
  r.diverged = code == kDiverged;
  r.reason = term_message(code);
  r.rel_grad = rel_grad;
  return r;
}

}  // namespace stochos::infer
