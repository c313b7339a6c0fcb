#include "infer/nuts.hpp"

#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_sum_exp(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

double uniform(Rng& rng) {
  return boost::random::uniform_01<double>()(rng);
}

// The U-turn criterion between the two ends of a trajectory with summed momentum rho.
bool no_u_turn(const Eigen::VectorXd& p_sharp_minus, const Eigen::VectorXd& p_sharp_plus,
               const Eigen::VectorXd& rho) {
  return p_sharp_plus.dot(rho) > 0 && p_sharp_minus.dot(rho) > 0;
}

}  // namespace

bool Nuts::build_tree(int depth, PhasePoint& z, PhasePoint& propose, Eigen::VectorXd& p_sharp_beg,
                      Eigen::VectorXd& p_sharp_end, Eigen::VectorXd& rho, Eigen::VectorXd& p_beg,
                      Eigen::VectorXd& p_end, double H0, double eps, int& n_leapfrog,
                      double& log_sum_weight, double& sum_metro_prob, Rng& rng) {
  if (depth == 0) {
    h_.leapfrog(z, eps);
    ++n_leapfrog;
    double H = h_.energy(z);
    if (std::isnan(H)) H = kInf;
    if (H - H0 > o_.max_energy_error) divergent_ = true;
    log_sum_weight = log_sum_exp(log_sum_weight, H0 - H);
    sum_metro_prob += H0 - H > 0 ? 1 : std::exp(H0 - H);
    propose = z;
    p_sharp_beg = h_.velocity(z.p);
    p_sharp_end = p_sharp_beg;
    rho += z.p;
    p_beg = z.p;
    p_end = p_beg;
    return !divergent_;
  }

  // The first half.
  const Eigen::Index n = z.q.size();
  double log_sum_weight_init = -kInf;
  Eigen::VectorXd p_init_end(n), p_sharp_init_end(n), rho_init = Eigen::VectorXd::Zero(n);
  if (!build_tree(depth - 1, z, propose, p_sharp_beg, p_sharp_init_end, rho_init, p_beg, p_init_end,
                  H0, eps, n_leapfrog, log_sum_weight_init, sum_metro_prob, rng))
    return false;

  // The second half, from where the first ended.
  PhasePoint propose_final = z;
  double log_sum_weight_final = -kInf;
  Eigen::VectorXd p_final_beg(n), p_sharp_final_beg(n), rho_final = Eigen::VectorXd::Zero(n);
  if (!build_tree(depth - 1, z, propose_final, p_sharp_final_beg, p_sharp_end, rho_final,
                  p_final_beg, p_end, H0, eps, n_leapfrog, log_sum_weight_final, sum_metro_prob,
                  rng))
    return false;

  // Multinomial sample between the halves, uniform within a subtree.
  const double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
  log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
  if (log_sum_weight_final > log_sum_weight_subtree) {
    propose = propose_final;
  } else if (uniform(rng) < std::exp(log_sum_weight_final - log_sum_weight_subtree)) {
    propose = propose_final;
  }

  const Eigen::VectorXd rho_subtree = rho_init + rho_final;
  rho += rho_subtree;
  // Around the merged subtree, and across the seam between its halves.
  bool persist = no_u_turn(p_sharp_beg, p_sharp_end, rho_subtree);
  persist = persist && no_u_turn(p_sharp_beg, p_sharp_final_beg, rho_init + p_final_beg);
  persist = persist && no_u_turn(p_sharp_init_end, p_sharp_end, rho_final + p_init_end);
  return persist;
}

Transition Nuts::transition(PhasePoint& z0, double step_size, Rng& rng) {
  PhasePoint z = z0;
  h_.sample_momentum(z, rng);
  PhasePoint z_fwd = z, z_bck = z, z_sample = z, z_propose = z;

  const Eigen::VectorXd v0 = h_.velocity(z.p);
  Eigen::VectorXd p_fwd_fwd = z.p, p_sharp_fwd_fwd = v0;
  Eigen::VectorXd p_fwd_bck = z.p, p_sharp_fwd_bck = v0;
  Eigen::VectorXd p_bck_fwd = z.p, p_sharp_bck_fwd = v0;
  Eigen::VectorXd p_bck_bck = z.p, p_sharp_bck_bck = v0;
  Eigen::VectorXd rho = z.p;

  double log_sum_weight = 0;  // log(exp(H0 - H0))
  const double H0 = h_.energy(z);
  int n_leapfrog = 0;
  double sum_metro_prob = 0;
  int depth = 0;
  divergent_ = false;

  const Eigen::Index n = z.q.size();
  while (depth < o_.max_depth) {
    Eigen::VectorXd rho_fwd = Eigen::VectorXd::Zero(n), rho_bck = Eigen::VectorXd::Zero(n);
    bool valid = false;
    double log_sum_weight_subtree = -kInf;
    if (uniform(rng) > 0.5) {  // extend forwards
      z = z_fwd;
      rho_bck = rho;
      p_bck_fwd = p_fwd_bck;
      p_sharp_bck_fwd = p_sharp_fwd_bck;
      valid = build_tree(depth, z, z_propose, p_sharp_fwd_bck, p_sharp_fwd_fwd, rho_fwd, p_fwd_bck,
                         p_fwd_fwd, H0, step_size, n_leapfrog, log_sum_weight_subtree,
                         sum_metro_prob, rng);
      z_fwd = z;
    } else {  // extend backwards
      z = z_bck;
      rho_fwd = rho;
      p_fwd_bck = p_bck_fwd;
      p_sharp_fwd_bck = p_sharp_bck_fwd;
      valid = build_tree(depth, z, z_propose, p_sharp_bck_fwd, p_sharp_bck_bck, rho_bck, p_bck_fwd,
                         p_bck_bck, H0, -step_size, n_leapfrog, log_sum_weight_subtree,
                         sum_metro_prob, rng);
      z_bck = z;
    }
    if (!valid) break;
    ++depth;

    // Biased progressive sampling: a new subtree heavier than the old trajectory always wins.
    if (log_sum_weight_subtree > log_sum_weight) {
      z_sample = z_propose;
    } else if (uniform(rng) < std::exp(log_sum_weight_subtree - log_sum_weight)) {
      z_sample = z_propose;
    }
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);

    rho = rho_bck + rho_fwd;
    bool persist = no_u_turn(p_sharp_bck_bck, p_sharp_fwd_fwd, rho);
    persist = persist && no_u_turn(p_sharp_bck_bck, p_sharp_fwd_bck, rho_bck + p_fwd_bck);
    persist = persist && no_u_turn(p_sharp_bck_fwd, p_sharp_fwd_fwd, rho_fwd + p_bck_fwd);
    if (!persist) break;
  }

  Transition t;
  t.n_leapfrog = n_leapfrog;
  t.depth = depth;
  t.divergent = divergent_;
  t.accept_stat = n_leapfrog > 0 ? sum_metro_prob / n_leapfrog : 0;
  z0 = z_sample;
  t.logp = z0.logp;
  t.energy = h_.energy(z0);
  return t;
}

double initial_step_size(Hamiltonian& h, const PhasePoint& z0, double eps, Rng& rng) {
  if (eps == 0 || eps > 1e7 || std::isnan(eps)) return eps;
  const auto delta_h = [&](double e) {
    PhasePoint z = z0;
    h.sample_momentum(z, rng);
    const double H0 = h.energy(z);
    h.leapfrog(z, e);
    double H = h.energy(z);
    if (std::isnan(H)) H = kInf;
    return H0 - H;
  };
  const double log08 = std::log(0.8);
  const int direction = delta_h(eps) > log08 ? 1 : -1;
  for (;;) {
    const double d = delta_h(eps);
    if (direction == 1 && !(d > log08)) break;
    if (direction == -1 && !(d < log08)) break;
    eps = direction == 1 ? eps * 2 : eps / 2;
    if (eps > 1e7)
      throw RuntimeError("the step size grew past 1e7 while tuning: the posterior is improper");
    if (eps == 0)
      throw RuntimeError(
          "the step size fell to 0 while tuning: the log density is not finite or not "
          "differentiable near the initial point");
  }
  return eps;
}

}  // namespace stochos::infer
