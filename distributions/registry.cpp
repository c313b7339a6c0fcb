// Every family by name. A new distribution adds its file and one line here.
#include <algorithm>

#include "distributions/distribution.hpp"
#include "stochos/error.hpp"
#include "stochos/nearest.hpp"

namespace stochos::distributions {

const Family& normal_family();
const Family& half_normal_family();
const Family& cauchy_family();
const Family& half_cauchy_family();
const Family& exponential_family();
const Family& uniform_family();
const Family& mv_normal_family();
const Family& dirichlet_family();
const Family& flat_family();
const Family& half_flat_family();
const Family& bernoulli_family();
const Family& beta_family();
const Family& poisson_family();
const Family& student_t_family();
const Family& gamma_family();
const Family& log_normal_family();
const Family& normal_mixture_family();
const Family& half_student_t_family();
const Family& inverse_gamma_family();
const Family& chi_squared_family();
const Family& laplace_family();
const Family& logistic_family();
const Family& weibull_family();
const Family& truncated_normal_family();
const Family& skew_normal_family();
const Family& binomial_family();
const Family& beta_binomial_family();
const Family& negative_binomial_family();
const Family& geometric_family();
const Family& discrete_uniform_family();
const Family& zero_inflated_poisson_family();
const Family& categorical_family();
const Family& ordered_logistic_family();
const Family& gaussian_random_walk_family();
const Family& ar_family();
const Family& mixture_family();
const Family& lkj_corr_family();
const Family& lkj_cholesky_cov_family();
const Family& multinomial_family();

namespace {

const std::vector<const Family*>& families() {
  static const std::vector<const Family*> all = {
      &normal_family(),
      &half_normal_family(),
      &cauchy_family(),
      &half_cauchy_family(),
      &exponential_family(),
      &uniform_family(),
      &mv_normal_family(),
      &dirichlet_family(),
      &flat_family(),
      &half_flat_family(),
      &bernoulli_family(),
      &beta_family(),
      &poisson_family(),
      &student_t_family(),
      &gamma_family(),
      &log_normal_family(),
      &normal_mixture_family(),
      &half_student_t_family(),
      &inverse_gamma_family(),
      &chi_squared_family(),
      &laplace_family(),
      &logistic_family(),
      &weibull_family(),
      &truncated_normal_family(),
      &skew_normal_family(),
      &binomial_family(),
      &beta_binomial_family(),
      &negative_binomial_family(),
      &geometric_family(),
      &discrete_uniform_family(),
      &zero_inflated_poisson_family(),
      &categorical_family(),
      &ordered_logistic_family(),
      &gaussian_random_walk_family(),
      &ar_family(),
      &mixture_family(),
      &lkj_corr_family(),
      &lkj_cholesky_cov_family(),
      &multinomial_family(),
  };
  return all;
}

}  // namespace

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const Family* f : families()) names.push_back(f->name);
  return names;
}

const Family& family(std::string_view name) {
  for (const Family* f : families())
    if (f->name == name) return *f;
  throw InputError("unknown distribution '" + std::string(name) + "'" +
                   renamed_family(name).value_or(did_you_mean(name, family_names())));
}

// Note [PyMC 3 names]: PyMC 4 renamed what PyMC 3 called sd to sigma in every family (PyMC 3
// took both), init to init_dist, ZeroInflatedPoisson's theta to mu and LKJCorr's p to n;
// GaussianRandomWalk lost its precision tau; Lognormal and Bound went. A message names the
// replacement only where the family has it: Cauchy has no sigma, so Cauchy(sd=...) gets the
// ordinary "no parameter" message.
namespace {

struct Rename {
  std::string_view family;  // empty: every family that has `replacement`
  std::string_view old_name, replacement, note;
};

constexpr Rename kRenamedParameters[] = {
    {"", "sd", "sigma", "PyMC 3's name"},
    {"", "init", "init_dist", "PyMC 3's name"},
    {"ZeroInflatedPoisson", "theta", "mu", "PyMC 3's name"},
    {"LKJCorr", "p", "n", "PyMC 3's name"},
    {"GaussianRandomWalk", "tau", "sigma", "PyMC 3's precision; sigma = 1/sqrt(tau)"},
};

struct RenamedFamily {
  std::string_view old_name, message;
};

constexpr RenamedFamily kRenamedFamilies[] = {
    {"Lognormal", " (PyMC 3's name); write LogNormal"},
    {"Bound",
     " (PyMC 3's; PyMC 5 has Truncated); for a bounded normal write TruncatedNormal(mu, "
     "sigma, lower=..., upper=...), or bound a variable's values with transform=interval"},
};

}  // namespace

std::optional<std::string> renamed_parameter(const Family& f, std::string_view name) {
  const auto has = [&](std::string_view k) {
    return std::find(f.keywords.begin(), f.keywords.end(), k) != f.keywords.end();
  };
  for (const Rename& r : kRenamedParameters)
    if (r.old_name == name && (r.family.empty() || r.family == f.name) && has(r.replacement) &&
        !has(name))
      return " (" + std::string(r.note) + "); write " + std::string(r.replacement) + "=";
  return std::nullopt;
}

std::optional<std::string> renamed_family(std::string_view name) {
  for (const RenamedFamily& r : kRenamedFamilies)
    if (r.old_name == name) return std::string(r.message);
  return std::nullopt;
}

std::string unknown_parameter(const Family& f, std::string_view name,
                              const std::vector<std::string>& valid) {
  const std::string head = f.name + " has no parameter '" + std::string(name) + "'";
  if (auto r = renamed_parameter(f, name)) return head + *r;
  return head + (name.size() > 100 ? "" : did_you_mean(name, valid));
}

}  // namespace stochos::distributions
