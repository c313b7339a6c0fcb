#include "infer/discrete_steps.hpp"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "infer/kernel.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// log(u) < log p(proposal) - log p(current), where a non-finite proposal is never taken and a
// current value of no density gives way to any proposal of some.
bool accept(double current, double proposal, Rng& rng) {
  if (!std::isfinite(proposal)) return false;
  if (!std::isfinite(current) || proposal >= current) return true;  // no draw needed
  return std::log(boost::random::uniform_01<double>()(rng)) < proposal - current;
}

double accept_probability(double current, double proposal) {
  if (!std::isfinite(proposal)) return 0.0;
  if (!std::isfinite(current)) return 1.0;
  return proposal >= current ? 1.0 : std::exp(proposal - current);
}

// What every step holds: the conditional, a workspace, and where its entries sit in x.
class Base : public DiscreteStep {
 public:
  explicit Base(std::shared_ptr<const model::Conditional> c)
      : c_(std::move(c)),
        ws_(c_->make_workspace()),
        offset_(c_->slot().offset),
        size_(c_->slot().size),
        current_(static_cast<std::size_t>(c_->outputs())),
        proposal_(static_cast<std::size_t>(c_->outputs())) {}

 protected:
  // A value outside the support can reach an index (mu[z] with z = -1), which the engines refuse:
  // no density there.
  void evaluate(const Eigen::VectorXd& x, std::vector<double>& out) {
    try {
      (*c_)(*ws_, x.data(), out.data());
    } catch (const std::runtime_error&) {
      std::fill(out.begin(), out.end(), kMinusInf);
      return;
    }
    for (double& v : out)
      if (std::isnan(v)) v = kMinusInf;
  }
  bool elementwise() const { return c_->elementwise(); }

  std::shared_ptr<const model::Conditional> c_;
  std::unique_ptr<model::ValueWorkspace> ws_;
  std::int64_t offset_, size_;
  std::vector<double> current_, proposal_;
};

class BinaryGibbs final : public Base {
 public:
  using Base::Base;
  bool update(Eigen::VectorXd& x, Rng& rng) override {
    bool changed = false;
    evaluate(x, current_);
    if (elementwise()) {
      for (std::int64_t i = 0; i < size_; ++i) x[offset_ + i] = 1.0 - x[offset_ + i];
      evaluate(x, proposal_);
      for (std::int64_t i = 0; i < size_; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (accept(current_[k], proposal_[k], rng))
          changed = true;
        else
          x[offset_ + i] = 1.0 - x[offset_ + i];
      }
      return changed;
    }
    for (std::int64_t i = 0; i < size_; ++i) {
      x[offset_ + i] = 1.0 - x[offset_ + i];
      evaluate(x, proposal_);
      if (accept(current_[0], proposal_[0], rng)) {
        current_[0] = proposal_[0];
        changed = true;
      } else {
        x[offset_ + i] = 1.0 - x[offset_ + i];
      }
    }
    return changed;
  }
};

class CategoricalGibbs final : public Base {
 public:
  CategoricalGibbs(std::shared_ptr<const model::Conditional> c, std::int64_t first,
                   std::int64_t categories)
      : Base(std::move(c)),
        first_(first),
        k_(categories),
        table_(static_cast<std::size_t>(categories * c_->outputs())),
        weights_(static_cast<std::size_t>(categories)) {}

  bool update(Eigen::VectorXd& x, Rng& rng) override {
    bool changed = false;
    if (elementwise()) {
      // One evaluation per category gives every entry's conditional.
      old_ = x.segment(offset_, size_);  // reused: no allocation per update
      for (std::int64_t k = 0; k < k_; ++k) {
        x.segment(offset_, size_).setConstant(static_cast<double>(first_ + k));
        evaluate(x, proposal_);
        std::copy(proposal_.begin(), proposal_.end(),
                  table_.begin() + static_cast<std::ptrdiff_t>(k * size_));
      }
      for (std::int64_t i = 0; i < size_; ++i) {
        for (std::int64_t k = 0; k < k_; ++k)
          weights_[static_cast<std::size_t>(k)] = table_[static_cast<std::size_t>(k * size_ + i)];
        x[offset_ + i] = draw(old_[i], rng);
        changed = changed || x[offset_ + i] != old_[i];
      }
      return changed;
    }
    for (std::int64_t i = 0; i < size_; ++i) {
      const double old = x[offset_ + i];
      for (std::int64_t k = 0; k < k_; ++k) {
        x[offset_ + i] = static_cast<double>(first_ + k);
        evaluate(x, proposal_);
        weights_[static_cast<std::size_t>(k)] = proposal_[0];
      }
      x[offset_ + i] = draw(old, rng);
      changed = changed || x[offset_ + i] != old;
    }
    return changed;
  }

 private:
  // A category drawn with probability proportional to exp(weights_); `old` when none has mass.
  double draw(double old, Rng& rng) {
    double top = kMinusInf;
    for (double w : weights_) top = std::max(top, w);
    if (!std::isfinite(top)) return old;
    double total = 0;
    for (double& w : weights_) total += (w = std::exp(w - top));
    double u = boost::random::uniform_01<double>()(rng) * total;
    for (std::int64_t k = 0; k < k_; ++k) {
      u -= weights_[static_cast<std::size_t>(k)];
      if (u < 0) return static_cast<double>(first_ + k);
    }
    for (std::int64_t k = k_; k-- > 0;)  // rounding left u at 0: the last category with mass
      if (weights_[static_cast<std::size_t>(k)] > 0) return static_cast<double>(first_ + k);
    return old;
  }

  std::int64_t first_, k_;
  Eigen::VectorXd old_;
  std::vector<double> table_, weights_;  // table_: category-major, one row of entries each
};

class DiscreteMetropolis final : public Base {
 public:
  // A finite support (categories > 0) keeps proposals inside it: one outside has no density and
  // is rejected without an evaluation.
  DiscreteMetropolis(std::shared_ptr<const model::Conditional> c, std::int64_t first,
                     std::int64_t categories)
      : Base(std::move(c)),
        low_(categories > 0 ? static_cast<double>(first) : kMinusInf),
        high_(categories > 0 ? static_cast<double>(first + categories - 1)
                             : std::numeric_limits<double>::infinity()) {}

  bool update(Eigen::VectorXd& x, Rng& rng) override {
    boost::random::normal_distribution<double> normal;
    evaluate(x, current_);
    old_ = x.segment(offset_, size_);
    bool outside = false;
    outside_.assign(static_cast<std::size_t>(size_), 0);
    for (std::int64_t i = 0; i < size_; ++i) {
      const double q = old_[i] + std::round(scaling_.scaling() * normal(rng));
      const bool in = q >= low_ && q <= high_;
      outside = outside || !in;
      outside_[static_cast<std::size_t>(i)] = in ? 0 : 1;
      x[offset_ + i] = in ? q : old_[i];
    }
    evaluate(x, proposal_);
    if (outside && !elementwise()) std::fill(proposal_.begin(), proposal_.end(), kMinusInf);
    double accepted = 0, prob = 0;
    if (elementwise()) {
      for (std::int64_t i = 0; i < size_; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (outside_[k]) continue;  // rejected already
        prob += accept_probability(current_[k], proposal_[k]);
        if (accept(current_[k], proposal_[k], rng))
          accepted += 1;
        else
          x[offset_ + i] = old_[i];
      }
      accepted /= static_cast<double>(size_);
      prob /= static_cast<double>(size_);
    } else {
      prob = accept_probability(current_[0], proposal_[0]);
      if (accept(current_[0], proposal_[0], rng))
        accepted = 1;
      else
        x.segment(offset_, size_) = old_;
    }
    accept_ = prob;
    accepted_ = accepted;
    return accepted > 0;
  }

  void stats(double* out) const override {
    out[0] = accept_;
    out[1] = accepted_;
    out[2] = scaling_.scaling();
  }

  // PyMC's rule on the share of entries accepted.
  void tune() override { scaling_.learn(accepted_); }

 private:
  Eigen::VectorXd old_;
  std::vector<char> outside_;
  double low_, high_;
  MetropolisScaling scaling_;
  double accept_ = 0, accepted_ = 0;
};

// Note [discrete slice]: slice sampling (Neal 2003, stepping out and shrinkage) of an integer
// variable through a continuous one: u has density p(round(u)), flat over each integer's cell
// [k - 1/2, k + 1/2), so round(u) has the integer's distribution. Each update first draws u
// uniformly in the current integer's cell (a Gibbs step on u given the integer), then slice
// samples u, and keeps round(u). Entry by entry; the width is tuned during warm-up, as PyMC's
// Slice tunes its own, to the running mean of twice the distance moved.
class DiscreteSlice final : public Base {
 public:
  explicit DiscreteSlice(std::shared_ptr<const model::Conditional> c) : Base(std::move(c)) {}

  bool update(Eigen::VectorXd& x, Rng& rng) override {
    boost::random::uniform_01<double> uniform;
    boost::random::exponential_distribution<double> exponential;
    bool changed = false;
    out_ = in_ = 0;
    moved_ = 0;
    for (std::int64_t i = 0; i < size_; ++i) {
      const double k0 = x[offset_ + i];
      const auto f = [&](double u) {  // log p(round(u) | rest), this entry's part
        x[offset_ + i] = std::round(u);
        evaluate(x, proposal_);
        return proposal_[elementwise() ? static_cast<std::size_t>(i) : 0];
      };
      const double u0 = k0 + uniform(rng) - 0.5;
      const double fx = f(k0);
      if (!std::isfinite(fx)) {  // no density here: leave it to the other steps
        x[offset_ + i] = k0;
        continue;
      }
      const double level = fx - exponential(rng);
      double lo = u0 - width_ * uniform(rng), hi = lo + width_;
      for (int j = 0; j < kMaxSteps && f(lo) > level; ++j, ++out_) lo -= width_;
      for (int j = 0; j < kMaxSteps && f(hi) > level; ++j, ++out_) hi += width_;
      double u = u0;
      for (int j = 0; j < 1000; ++j) {  // shrinkage ends: u0's own cell is above the level
        ++in_;
        u = lo + uniform(rng) * (hi - lo);
        if (f(u) > level) break;
        (u < u0 ? lo : hi) = u;
        u = u0;
      }
      x[offset_ + i] = std::round(u);
      moved_ += std::abs(x[offset_ + i] - k0);
      changed = changed || x[offset_ + i] != k0;
    }
    return changed;
  }

  void stats(double* out) const override {
    out[0] = static_cast<double>(out_);
    out[1] = static_cast<double>(in_);
  }

  void tune() override {
    ++tuned_;
    const double target = std::max(1.0, 2 * moved_ / static_cast<double>(size_));
    width_ += (target - width_) / static_cast<double>(tuned_);
  }

 private:
  static constexpr int kMaxSteps = 100;
  double width_ = 1, moved_ = 0;
  long out_ = 0, in_ = 0, tuned_ = 0;
};

}  // namespace

const std::vector<std::string>& discrete_methods() {
  static const std::vector<std::string> all = {"metropolis", "binary_gibbs", "categorical_gibbs",
                                               "slice"};
  return all;
}

std::vector<std::string> discrete_stat_names(const std::string& method) {
  if (method == "metropolis") return {"accept__", "accepted__", "scaling__"};
  if (method == "slice") return {"nstep_out__", "nstep_in__"};
  return {};  // the Gibbs steps report nothing (PyMC's report only `tune`)
}

std::unique_ptr<DiscreteStep> make_discrete_step(const std::string& method,
                                                 std::shared_ptr<const model::Conditional> c,
                                                 std::int64_t first, std::int64_t categories) {
  if (method == "binary_gibbs") return std::make_unique<BinaryGibbs>(std::move(c));
  if (method == "categorical_gibbs")
    return std::make_unique<CategoricalGibbs>(std::move(c), first, categories);
  if (method == "metropolis")
    return std::make_unique<DiscreteMetropolis>(std::move(c), first, categories);
  if (method == "slice") return std::make_unique<DiscreteSlice>(std::move(c));
  throw InputError("'" + method + "' is not a step method for discrete variables");
}

}  // namespace stochos::infer
