#include "infer/advi_step_size.hpp"

#include <cmath>

namespace stochos::infer {

void AdviStepSize::step(Eigen::VectorXd& params, const Eigen::VectorXd& g) {
  ++k_;
  if (k_ == 1)
    s_ = g.array().square();
  else
    s_ = (1 - kAlpha) * s_.array() + kAlpha * g.array().square();
  const double scaled = eta_ / std::sqrt(static_cast<double>(k_));
  params.array() += scaled * g.array() / (kTau + s_.array().sqrt());
}

}  // namespace stochos::infer
