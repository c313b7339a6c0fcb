// Stan's choice of ADVI's step-size scale eta (stan/variational/advi.hpp, adapt_eta): from the
// initial approximation, adapt_iter iterations with each eta of 100, 10, 1, 0.1, 0.01 in turn,
// each judged by the ELBO it reaches. The search stops at the first eta whose ELBO is below the
// previous eta's, when that previous ELBO is above the initial one, and takes the previous eta;
// after the last eta it takes the last one if its ELBO is above the initial one, and fails
// otherwise.
#pragma once

#include <array>
#include <limits>
#include <optional>

namespace stochos::infer {

class EtaSearch {
 public:
  static constexpr std::array<double, 5> kSequence = {100, 10, 1, 0.1, 0.01};

  // elbo_init: the initial approximation's ELBO; adapt_iter: for the failure's message.
  EtaSearch(double elbo_init, int adapt_iter) : elbo_init_(elbo_init), adapt_iter_(adapt_iter) {}

  // The eta to try next.
  double eta() const { return kSequence[next_]; }
  // Records the ELBO reached with eta() (-inf when it could not be estimated); returns the
  // chosen eta once the search is over. RuntimeError when no eta improved on the initial ELBO.
  std::optional<double> record(double elbo);

 private:
  double elbo_init_;
  int adapt_iter_;
  std::size_t next_ = 0;
  double elbo_best_ = -std::numeric_limits<double>::infinity(), eta_best_ = 0;
};

}  // namespace stochos::infer
