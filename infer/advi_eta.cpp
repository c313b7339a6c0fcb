#include "infer/advi_eta.hpp"

#include <sstream>
#include <string>

#include "stochos/error.hpp"

namespace stochos::infer {

std::optional<double> EtaSearch::record(double elbo) {
  const double eta = kSequence[next_];
  if (elbo < elbo_best_ && elbo_best_ > elbo_init_) return eta_best_;
  if (next_ + 1 < kSequence.size()) {
    elbo_best_ = elbo;
    eta_best_ = eta;
    ++next_;
    return std::nullopt;
  }
  if (elbo > elbo_init_) return eta;
  std::ostringstream init;
  init << elbo_init_;
  throw RuntimeError(
      "ADVI: eta adaptation failed: no step size of 100, 10, 1, 0.1, 0.01 gave a "
      "finite ELBO above the initial one (" +
      init.str() + ") after " + std::to_string(adapt_iter_) +
      " iterations; the model may be severely ill-conditioned or misspecified");
}

}  // namespace stochos::infer
