// The MCMC kernels that `sample` runs over continuous variables (NUTS, static HMC, PyMC's
// Metropolis and Slice; the discrete step methods are in infer/discrete_steps.hpp): each is a
// transition over the Hamiltonian's phase space, and declares the statistics it reports per draw,
// named as CmdStan's CSV columns (name__). The Hamiltonian kernels share one warm-up
// (infer/warmup.hpp: dual averaging of the step size, windowed metric estimation); the others
// tune themselves during warm-up (PyMC's rules). A new kernel is one file in infer/ and one entry
// in kernels.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "infer/nuts.hpp"

namespace stochos::infer {

struct SampleOptions;

// One kernel, ready to run on one chain's Hamiltonian.
class Kernel {
 public:
  virtual ~Kernel() = default;
  // One transition from z (position, log p and gradient set); z becomes the new draw.
  virtual Transition transition(PhasePoint& z, double step_size, Rng& rng) = 0;
  // The statistics of `t` (taken with `step_size`), in KernelSpec::stat_names' order.
  virtual void stats(const Transition& t, double step_size, double* out) const = 0;
  // Whether the shared warm-up (step size, metric) drives this kernel. One that does not tunes
  // itself in tune(), called after each warm-up transition, and ignores the step size.
  virtual bool hamiltonian() const { return true; }
  virtual void tune(const Transition& /*t*/) {}
};

struct KernelSpec {
  std::string name;  // what --sampler takes
  std::string description;
  std::vector<std::string> stat_names;
  std::function<std::unique_ptr<Kernel>(Hamiltonian&, const SampleOptions&)> make;
};

// The factories of the kernels with files of their own (infer/NAME.cpp).
std::unique_ptr<Kernel> make_metropolis(Hamiltonian& h, const SampleOptions& o);
std::unique_ptr<Kernel> make_slice(Hamiltonian& h, const SampleOptions& o);
// PyMC's Metropolis tuning: the proposal scale, starting at 1, changed every 100 warm-up steps by
// the window's acceptance rate (x0.1 below 0.001, x0.5 below 0.05, x0.9 below 0.2, x10 above
// 0.95, x2 above 0.75, x1.1 above 0.5). Shared by the continuous and the discrete Metropolis.
class MetropolisScaling {
 public:
  double scaling() const { return scaling_; }
  // One warm-up step that accepted this share of its proposals (0 or 1, or a share of entries).
  void learn(double accepted);

 private:
  double scaling_ = 1.0, window_ = 0;
  int steps_ = 0;
};

// Every kernel, in the order `stochos sample --help` lists them.
const std::vector<KernelSpec>& kernels();
// The kernel of that name; InputError listing the valid names otherwise.
const KernelSpec& kernel(const std::string& name);

}  // namespace stochos::infer
