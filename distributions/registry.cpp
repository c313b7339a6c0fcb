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
                   did_you_mean(name, family_names()));
}

}  // namespace stochos::distributions
