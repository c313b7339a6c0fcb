// The registry of MCMC kernels: one entry per kernel.
#include <memory>

#include "infer/hmc.hpp"
#include "infer/kernel.hpp"
#include "infer/sample.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

class NutsKernel final : public Kernel {
 public:
  NutsKernel(Hamiltonian& h, const SampleOptions& o)
      : nuts_(h, {.max_depth = o.max_depth, .max_energy_error = 1000}) {}
  Transition transition(PhasePoint& z, double eps, Rng& rng) override {
    return nuts_.transition(z, eps, rng);
  }
  void stats(const Transition& t, double eps, double* out) const override {
    const double row[] = {t.logp,          t.accept_stat,        eps,
                          double(t.depth), double(t.n_leapfrog), t.divergent ? 1.0 : 0.0,
                          t.energy};
    std::copy(std::begin(row), std::end(row), out);
  }

 private:
  Nuts nuts_;
};

class HmcKernel final : public Kernel {
 public:
  HmcKernel(Hamiltonian& h, const SampleOptions& o) : hmc_(h, o.hmc_time) {}
  Transition transition(PhasePoint& z, double eps, Rng& rng) override {
    return hmc_.transition(z, eps, rng);
  }
  void stats(const Transition& t, double eps, double* out) const override {
    // Stan's static engine reports the integration time the step size gave, int_time__.
    const double row[] = {t.logp,
                          t.accept_stat,
                          eps,
                          eps * t.n_leapfrog,
                          double(t.n_leapfrog),
                          t.divergent ? 1.0 : 0.0,
                          t.energy};
    std::copy(std::begin(row), std::end(row), out);
  }

 private:
  StaticHmc hmc_;
};

template <class K>
std::unique_ptr<Kernel> make(Hamiltonian& h, const SampleOptions& o) {
  return std::make_unique<K>(h, o);
}

}  // namespace

const std::vector<KernelSpec>& kernels() {
  static const std::vector<KernelSpec> all = {
      {"nuts",
       "the No-U-Turn sampler (multinomial, generalised U-turn criterion)",
       {"lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__",
        "energy__"},
       make<NutsKernel>},
      {"hmc",
       "static HMC: a fixed integration time, L = T / step size leapfrog steps",
       {"lp__", "accept_stat__", "stepsize__", "int_time__", "n_leapfrog__", "divergent__",
        "energy__"},
       make<HmcKernel>},
      {"metropolis",
       "PyMC's random-walk Metropolis, its scaling tuned during warm-up by the acceptance rate",
       {"lp__", "accept__", "accepted__", "scaling__"},
       make_metropolis},
      {"slice",
       "PyMC's Slice: univariate slice sampling of each coordinate in turn, widths tuned",
       {"lp__", "nstep_out__", "nstep_in__"},
       make_slice},
  };
  return all;
}

const KernelSpec& kernel(const std::string& name) {
  std::string valid;
  for (const KernelSpec& k : kernels()) {
    if (k.name == name) return k;
    valid += (valid.empty() ? "" : ", ") + k.name;
  }
  throw InputError("unknown sampler '" + name + "' (valid: " + valid + ")");
}

}  // namespace stochos::infer
