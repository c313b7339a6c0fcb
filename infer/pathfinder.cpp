#include "infer/pathfinder.hpp"

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <sstream>

#include "infer/initial_point.hpp"
#include "infer/lbfgs_normal.hpp"
#include "infer/packed_names.hpp"
#include "infer/parallel.hpp"
#include "infer/psis.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Draws from one approximation: x (n x K, a draw per column), log q and log p at each.
struct Draws {
  MatrixXd x;
  VectorXd lq, lp;
};

// What a path keeps of its best approximation so far.
struct Best {
  std::optional<LbfgsNormal> q;
  Draws draws;
  double elbo = kNegInf;
  int iteration = 0;
};

class PathRun {
 public:
  PathRun(const Objective& f, Eigen::Index n, Rng& rng) : f_(f), rng_(rng), grad_(n) {}

  // log p at x, -infinity where it is not finite (a draw outside the support).
  double log_p(const VectorXd& x) {
    ++evals;
    const double v = f_(x, grad_);
    return std::isfinite(v) ? v : kNegInf;
  }

  Draws draw(const LbfgsNormal& q, int count) {
    MatrixXd u(q.dim(), count);
    for (Eigen::Index j = 0; j < u.cols(); ++j)
      for (Eigen::Index i = 0; i < u.rows(); ++i) u(i, j) = normal_(rng_);
    Draws d{q.transform(u), VectorXd(count), VectorXd(count)};
    for (int j = 0; j < count; ++j) {
      d.lq[j] = q.log_density(u.col(j).squaredNorm());
      d.lp[j] = log_p(d.x.col(j));
    }
    return d;
  }

  long evals = 0;

 private:
  const Objective& f_;
  Rng& rng_;
  VectorXd grad_;
  boost::random::normal_distribution<double> normal_;
};

LbfgsOptions lbfgs_options(const PathfinderOptions& o) {
  LbfgsOptions l;
  l.init_alpha = o.init_alpha;
  l.tol_obj = o.tol_obj;
  l.tol_rel_obj = o.tol_rel_obj;
  l.tol_grad = o.tol_grad;
  l.tol_rel_grad = o.tol_rel_grad;
  l.tol_param = o.tol_param;
  l.history = o.history_size;
  l.max_iterations = o.max_lbfgs_iters;
  return l;
}

}  // namespace

PathResult pathfinder_path(const Objective& f, const VectorXd& x0, const PathfinderOptions& o,
                           Rng& rng) {
  const Eigen::Index n = x0.size();
  PathRun run(f, n, rng);
  PathResult r;
  Best best;
  std::deque<VectorXd> s_hist, y_hist;
  VectorXd alpha = VectorXd::Ones(n), x_prev, g_prev;
  int built = 0;
  std::string last_failure;

  // At each iterate: the pair it makes with the previous one (when it passes the curvature
  // test), then the approximation of the history so far and its ELBO.
  const auto on_iterate = [&](const LbfgsIterate& it) {
    const VectorXd g = -it.grad;  // the gradient of F = -log p, which L-BFGS's pairs are of
    if (it.iteration > 0) {
      const VectorXd s = it.x - x_prev, y = g - g_prev;
      if (curvature_ok(s, y)) {
        alpha = update_inverse_hessian_diagonal(alpha, s, y);
        s_hist.push_back(s);
        y_hist.push_back(y);
        if (static_cast<int>(s_hist.size()) > o.history_size) {
          s_hist.pop_front();
          y_hist.pop_front();
        }
      }
    }
    x_prev = it.x;
    g_prev = g;
    if (s_hist.empty()) return;
    const auto m = static_cast<Eigen::Index>(s_hist.size());
    MatrixXd S(n, m), Y(n, m);
    for (Eigen::Index j = 0; j < m; ++j) {
      S.col(j) = s_hist[static_cast<std::size_t>(j)];
      Y.col(j) = y_hist[static_cast<std::size_t>(j)];
    }
    ++built;
    try {
      LbfgsNormal q(it.x, it.grad, alpha, S, Y);
      Draws d = run.draw(q, o.num_elbo_draws);
      const double elbo = (d.lp - d.lq).mean();  // -infinity when a draw has log p = -infinity
      if (elbo > best.elbo) {
        best.q.emplace(std::move(q));
        best.draws = std::move(d);
        best.elbo = elbo;
        best.iteration = it.iteration;
      }
    } catch (const RuntimeError& e) {
      last_failure = e.what();
    }
  };

  LbfgsResult lbfgs;
  try {
    lbfgs = lbfgs_maximize(f, x0, lbfgs_options(o), on_iterate);
  } catch (const RuntimeError& e) {
    r.note = std::string("L-BFGS could not start: ") + e.what();
    r.grad_evals = run.evals + 1;
    return r;
  }
  r.lbfgs_iterations = lbfgs.iterations;
  r.lbfgs_message = lbfgs.reason;
  r.grad_evals = lbfgs.grad_evals + run.evals;
  if (!best.q) {
    if (built == 0)
      r.note = "L-BFGS failed at once (" + lbfgs.reason + ")";
    else
      r.note = "none of the " + std::to_string(built) +
               " approximations along the path has a finite ELBO" +
               (last_failure.empty() ? std::string(" (a draw outside the support in each)")
                                     : " (the last failure: " + last_failure + ")");
    return r;
  }
  if (!lbfgs.converged) r.note = "L-BFGS stopped early: " + lbfgs.reason;

  // The final draws: the best approximation's ELBO draws, then fresh ones up to num_draws.
  const Draws& elbo_draws = best.draws;
  const int reused = std::min(o.num_draws, static_cast<int>(elbo_draws.x.cols()));
  const Draws fresh = run.draw(*best.q, o.num_draws - reused);
  r.draws.resize(o.num_draws, n);
  r.draws.topRows(reused) = elbo_draws.x.leftCols(reused).transpose();
  r.draws.bottomRows(fresh.x.cols()) = fresh.x.transpose();
  r.lp_approx.resize(o.num_draws);
  r.lp.resize(o.num_draws);
  r.lp_approx << elbo_draws.lq.head(reused), fresh.lq;
  r.lp << elbo_draws.lp.head(reused), fresh.lp;
  r.ok = true;
  r.mean = best.q->mean();
  r.variance = best.q->covariance_diagonal();
  r.elbo = best.elbo;
  r.best_iteration = best.iteration;
  r.grad_evals = lbfgs.grad_evals + run.evals;
  return r;
}

namespace {

void validate(const model::LogDensity& density, const PathfinderOptions& o) {
  const auto at_least_one = [](const char* name, int v) {
    if (v < 1)
      throw InputError(std::string(name) + " must be at least 1, got " + std::to_string(v));
  };
  at_least_one("num_paths", o.num_paths);
  at_least_one("num_draws", o.num_draws);
  at_least_one("num_psis_draws", o.num_psis_draws);
  at_least_one("num_elbo_draws", o.num_elbo_draws);
  at_least_one("history_size", o.history_size);
  at_least_one("max_lbfgs_iters", o.max_lbfgs_iters);
  if (!(o.init_alpha > 0))
    throw InputError("init_alpha must be positive, got " + std::to_string(o.init_alpha));
  for (const auto& [name, v] : {std::pair{"tol_obj", o.tol_obj},
                                {"tol_rel_obj", o.tol_rel_obj},
                                {"tol_grad", o.tol_grad},
                                {"tol_rel_grad", o.tol_rel_grad},
                                {"tol_param", o.tol_param},
                                {"init_radius", o.init_radius}})
    if (!(v >= 0) || !std::isfinite(v))
      throw InputError(std::string(name) + " must be 0 or more, got " + std::to_string(v));
  if (density.dim() == 0)
    throw InputError("nothing to approximate: the model has no free variables");
  model::refuse_discrete(density.layout(), "Pathfinder");
  if (o.init && static_cast<std::int64_t>(o.init->size()) != density.dim())
    throw InputError("the initial point has " + std::to_string(o.init->size()) +
                     " values; the model has " + std::to_string(density.dim()));
  model::check_fits_in_memory("keeping the draws (paths, draws, unconstrained values)",
                              {o.num_paths, o.num_draws, density.dim()}, graph::DType::f64);
  model::check_fits_in_memory("the resampled draws (num_psis_draws, unconstrained values)",
                              {o.num_psis_draws, density.dim()}, graph::DType::f64);
}

std::string format_k(double k) {
  std::ostringstream s;
  s.precision(2);
  s << std::fixed << k;
  return s.str();
}

// Every path failed: one line naming why (once when all failed alike).
[[noreturn]] void throw_all_failed(const std::vector<PathResult>& paths) {
  bool alike = true;
  for (const auto& p : paths) alike = alike && p.note == paths.front().note;
  std::string msg = "pathfinder: ";
  if (alike) {
    msg += (paths.size() == 1 ? "the path failed: " : "every path failed: ") + paths.front().note;
  } else {
    msg += "every path failed:";
    for (std::size_t i = 0; i < paths.size(); ++i)
      msg += (i ? "; path " : " path ") + std::to_string(i + 1) + ": " + paths[i].note;
  }
  throw RuntimeError(msg);
}

}  // namespace

PathfinderResult pathfinder(const model::LogDensity& density, const PathfinderOptions& o) {
  validate(density, o);
  const auto t0 = std::chrono::steady_clock::now();
  const Eigen::Index n = density.dim();
  std::vector<PathResult> paths(static_cast<std::size_t>(o.num_paths));
  run_parallel(o.num_paths, thread_count(o.num_paths, o.cores), [&](int p) {
    auto ws = density.make_workspace();
    const Objective f = [&](const VectorXd& x, VectorXd& g) {
      g.resize(n);
      return density(*ws, x.data(), g.data());
    };
    Rng rng = chain_rng(o.seed, p);
    PathResult& r = paths[static_cast<std::size_t>(p)];
    const Start start = find_initial_point(f, density.layout(), o.init_radius, o.init, rng);
    if (start)
      r = pathfinder_path(f, start.x, o, rng);
    else
      r.note = start.failure;
    r.grad_evals += start.tries;
  });

  PathfinderResult out;
  long grad_evals = 0, iterations = 0, rows = 0;
  int used = 0, best = -1;
  for (int p = 0; p < o.num_paths; ++p) {
    const PathResult& r = paths[static_cast<std::size_t>(p)];
    grad_evals += r.grad_evals;
    iterations += r.lbfgs_iterations;
    const std::string name = "path " + std::to_string(p + 1);
    if (!r.ok) {
      out.notes.push_back(name + " dropped: " + r.note);
      continue;
    }
    if (!r.note.empty()) out.notes.push_back(name + ": " + r.note);
    out.paths.push_back({p, r.mean, r.variance, r.elbo, r.lbfgs_iterations, r.grad_evals});
    ++used;
    rows += r.draws.rows();
    if (best < 0 || r.elbo > paths[static_cast<std::size_t>(best)].elbo) best = p;
  }
  if (used == 0) throw_all_failed(paths);

  // The pooled draws and their log importance ratios log p - log q.
  MatrixXd pooled(rows, n), stats(rows, 2);
  Eigen::Index at = 0;
  for (const auto& r : paths) {
    if (!r.ok) continue;
    const Eigen::Index k = r.draws.rows();
    pooled.middleRows(at, k) = r.draws;
    stats.middleRows(at, k).col(0) = r.lp_approx;
    stats.middleRows(at, k).col(1) = r.lp;
    at += k;
  }
  const PsisResult w = psis(stats.col(1) - stats.col(0));
  out.pareto_k = w.pareto_k;
  if (std::isinf(w.pareto_k))
    out.notes.push_back("Pareto k-hat not estimated: " + std::to_string(rows) +
                        " draws are too few to fit a tail");
  else if (w.pareto_k > 0.7)
    out.notes.push_back("Pareto k-hat " + format_k(w.pareto_k) +
                        " > 0.7: the approximation may be poor, and importance weights cannot "
                        "correct it");

  ChainTrace chain;
  chain.chain = 0;
  if (o.num_paths == 1 || !o.psis_resample) {
    // One path (as CmdStan: its draws as they are), or no resampling: every draw.
    chain.draws = std::move(pooled);
    chain.stats = std::move(stats);
  } else {
    Rng rng = chain_rng(o.seed, o.num_paths);  // a stream no path uses
    const VectorXd weights = w.log_weights.array().exp();
    boost::random::discrete_distribution<Eigen::Index, double> pick(
        weights.data(), weights.data() + weights.size());
    chain.draws.resize(o.num_psis_draws, n);
    chain.stats.resize(o.num_psis_draws, 2);
    for (int i = 0; i < o.num_psis_draws; ++i) {
      const Eigen::Index j = pick(rng);
      chain.draws.row(i) = pooled.row(j);
      chain.stats.row(i) = stats.row(j);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  chain.gradient_evaluations = grad_evals;
  chain.sampling_seconds = seconds;

  Trace& t = out.trace;
  t.method = "pathfinder";
  t.stat_names = {"lp_approx__", "lp__"};
  t.chains.push_back(std::move(chain));
  const PathResult& top = paths[static_cast<std::size_t>(best)];
  t.point = top.mean;
  t.figures = {{"pareto_k", w.pareto_k},
               {"elbo", top.elbo},
               {"grad_evals", static_cast<double>(grad_evals)},
               {"paths", used},
               {"paths_failed", o.num_paths - used},
               {"lbfgs_iterations", static_cast<double>(iterations)},
               {"seconds", seconds}};
  for (const auto& note : out.notes) t.message += (t.message.empty() ? "" : "\n") + note;
  return out;
}

}  // namespace stochos::infer
