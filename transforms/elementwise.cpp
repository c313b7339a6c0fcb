// The elementwise transforms: log, logodds, interval and the one-sided bounds.
#include <utility>

#include "transforms/transform.hpp"

namespace stochos::transforms {

namespace {

using namespace graph;

class Log final : public Transform {
 public:
  std::string name() const override { return "log"; }
  Tensor forward(const Tensor& x) const override { return log(x); }
  Tensor backward(const Tensor& y) const override { return exp(y); }
  Tensor log_jac_det(const Tensor& y) const override { return y; }
};

class LogOdds final : public Transform {
 public:
  std::string name() const override { return "logodds"; }
  Tensor forward(const Tensor& x) const override { return logit(x); }
  Tensor backward(const Tensor& y) const override { return sigmoid(y); }
  // d sigmoid(y) / dy = sigmoid(y) sigmoid(-y); in logs, finite for every finite y.
  Tensor log_jac_det(const Tensor& y) const override { return log_sigmoid(y) + log_sigmoid(-y); }
};

class Interval final : public Transform {
 public:
  Interval(Tensor lower, Tensor upper) : lo_(std::move(lower)), hi_(std::move(upper)) {}
  std::string name() const override { return "interval"; }
  Tensor forward(const Tensor& x) const override { return log(x - lo_) - log(hi_ - x); }
  Tensor backward(const Tensor& y) const override { return lo_ + (hi_ - lo_) * sigmoid(y); }
  Tensor log_jac_det(const Tensor& y) const override {
    return log(hi_ - lo_) + log_sigmoid(y) + log_sigmoid(-y);
  }

 private:
  Tensor lo_, hi_;
};

class LowerBound final : public Transform {
 public:
  explicit LowerBound(Tensor lower) : lo_(std::move(lower)) {}
  std::string name() const override { return "lowerbound"; }
  Tensor forward(const Tensor& x) const override { return log(x - lo_); }
  Tensor backward(const Tensor& y) const override { return lo_ + exp(y); }
  // y, broadcast to the shape of the value (which a bound of larger shape widens).
  Tensor log_jac_det(const Tensor& y) const override { return y + 0.0 * lo_; }

 private:
  Tensor lo_;
};

class UpperBound final : public Transform {
 public:
  explicit UpperBound(Tensor upper) : hi_(std::move(upper)) {}
  std::string name() const override { return "upperbound"; }
  Tensor forward(const Tensor& x) const override { return log(hi_ - x); }
  Tensor backward(const Tensor& y) const override { return hi_ - exp(y); }
  Tensor log_jac_det(const Tensor& y) const override { return y + 0.0 * hi_; }

 private:
  Tensor hi_;
};

}  // namespace

std::string value_name(const std::string& name, const Transform& t) {
  return name + "_" + t.name() + "__";
}

std::unique_ptr<Transform> log_transform() {
  return std::make_unique<Log>();
}
std::unique_ptr<Transform> logodds_transform() {
  return std::make_unique<LogOdds>();
}
std::unique_ptr<Transform> interval_transform(Tensor lower, Tensor upper) {
  return std::make_unique<Interval>(std::move(lower), std::move(upper));
}
std::unique_ptr<Transform> lower_bound_transform(Tensor lower) {
  return std::make_unique<LowerBound>(std::move(lower));
}
std::unique_ptr<Transform> upper_bound_transform(Tensor upper) {
  return std::make_unique<UpperBound>(std::move(upper));
}

}  // namespace stochos::transforms
