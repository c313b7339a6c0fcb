// StudentT(nu, mu, sigma | lam): heavy tails for robust regression; HalfStudentT(nu, sigma | lam),
// its fold at 0, a weakly informative prior for scales.
#include <boost/random/chi_squared_distribution.hpp>
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

// lam is a precision: sigma = lam^(-1/2).
Tensor sigma_or_lam(const Bound& b, const std::string& family) {
  if (b.has("sigma") && b.has("lam")) throw InputError(family + ": give sigma or lam, not both");
  return b.has("lam") ? 1.0 / sqrt(b.get("lam")) : b.get("sigma", 1.0);
}

// log of the StudentT(nu, 0, sigma) density at x.
Tensor student_t_logp(const Tensor& x, const Tensor& nu, const Tensor& sigma) {
  return lgamma(0.5 * (nu + 1.0)) - lgamma(0.5 * nu) - 0.5 * log(nu) - 0.5 * kLogPi - log(sigma) -
         0.5 * (nu + 1.0) * log1p(square(x / sigma) / nu);
}

double student_t_draw(Rng& rng, double nu, double sigma) {
  const double chi2 = boost::random::chi_squared_distribution<double>(nu)(rng);
  return sigma * standard_normal(rng) / std::sqrt(chi2 / nu);
}

}  // namespace

const Family& student_t_family() {
  static const Family f{
      .name = "StudentT",
      .positional = {"nu", "mu", "sigma"},
      .keywords = {"nu", "mu", "sigma", "lam"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("nu", b.get("nu"));
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", sigma_or_lam(b, "StudentT"));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return student_t_logp(x - p["mu"], p["nu"], p["sigma"]); },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"nu", "sigma"});
          },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point = [](const Params& p) { return p["mu"] + 0.0 * p["nu"] + 0.0 * p["sigma"]; },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return v["mu"] + student_t_draw(rng, v["nu"], v["sigma"]);
          },
  };
  return f;
}

const Family& half_student_t_family() {
  static const Family f{
      .name = "HalfStudentT",
      .positional = {"nu", "sigma", "lam"},
      .keywords = {"nu", "sigma", "lam"},
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("nu", b.get("nu"));
            p.set("sigma", sigma_or_lam(b, "HalfStudentT"));
            return p;
          },
      .logp = [](const Tensor& x,
                 const Params& p) { return kLog2 + student_t_logp(x, p["nu"], p["sigma"]); },
      .param_conditions =
          [](const Params& p) {
            return positive_params(p, {"nu", "sigma"});
          },
      .in_support = nonnegative_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return p["sigma"] + 0.0 * p["nu"]; },
      .draw =
          [](Rng& rng, const ScalarParams& v) {
            return std::abs(student_t_draw(rng, v["nu"], v["sigma"]));
          },
  };
  return f;
}

Distribution StudentT(Arg nu, Arg mu, Arg sigma) {
  return Distribution(student_t_family(),
                      {{"", std::move(nu)}, {"", std::move(mu)}, {"", std::move(sigma)}});
}
Distribution HalfStudentT(Arg nu, Arg sigma) {
  return Distribution(half_student_t_family(), {{"", std::move(nu)}, {"", std::move(sigma)}});
}

}  // namespace stochos::distributions
