#include "infer/compound.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "infer/chain_stepper.hpp"
#include "infer/discrete_steps.hpp"
#include "infer/initial_point.hpp"
#include "infer/kernel.hpp"
#include "infer/warmup.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

// The method a --step value names: ours, or PyMC's class name in any case.
std::string method_name(std::string m) {
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char ch) { return std::tolower(ch); });
  static const std::map<std::string, std::string> pymc = {
      {"hamiltonianmc", "hmc"},
      {"binarygibbsmetropolis", "binary_gibbs"},
      {"categoricalgibbsmetropolis", "categorical_gibbs"}};
  if (const auto it = pymc.find(m); it != pymc.end()) return it->second;
  for (const KernelSpec& k : kernels())
    if (k.name == m) return m;
  for (const std::string& d : discrete_methods())
    if (d == m) return m;
  std::string valid;
  for (const KernelSpec& k : kernels()) valid += k.name + ", ";
  throw InputError("--step: unknown step method '" + m + "' (valid: " + valid +
                   "binary_gibbs, categorical_gibbs)");
}

bool hamiltonian_method(const std::string& m) {
  return m == "nuts" || m == "hmc";
}

// A fixed scalar parameter's value, if it is one.
std::optional<double> fixed_scalar(const distributions::Params& p, const char* name) {
  if (!p.has(name)) return std::nullopt;
  const graph::Tensor t = p[name];
  if (!t.is_constant() || t.size() != 1) return std::nullopt;
  return (*t.node().attrs.data)[0];
}

// The finite support {first, ..., first + count - 1} of a discrete variable, where it is known.
std::optional<std::pair<std::int64_t, std::int64_t>> finite_support(const model::FreeVar& v) {
  const std::string& f = v.family->name;
  if (f == "Bernoulli") return std::make_pair(std::int64_t{0}, std::int64_t{2});
  if (f == "Categorical") {
    const graph::Tensor p = v.params[v.params.has("p") ? "p" : "logit_p"];
    if (!p.shape().empty()) return std::make_pair(std::int64_t{0}, p.shape().back());
  }
  if (f == "DiscreteUniform") {
    const auto lo = fixed_scalar(v.params, "lower"), hi = fixed_scalar(v.params, "upper");
    constexpr double kMaxCategories = 100000;  // beyond this a Gibbs sweep is not cheap
    if (lo && hi && *hi >= *lo && *hi - *lo < kMaxCategories)
      return std::make_pair(static_cast<std::int64_t>(*lo),
                            static_cast<std::int64_t>(*hi - *lo + 1));
  }
  return std::nullopt;
}

// PyMC's most competent method for a variable.
std::string automatic(const model::FreeVar& v, const std::string& sampler) {
  if (!v.discrete) return sampler;
  if (v.family->name == "Bernoulli") return "binary_gibbs";
  if (v.family->name == "Categorical" && finite_support(v)) return "categorical_gibbs";
  return "metropolis";
}

void check_fits(const model::FreeVar& v, const std::string& method) {
  const auto refuse = [&](const std::string& why) {
    throw InputError("--step " + v.name + "=" + method + ": " + why);
  };
  if (!v.discrete) {
    if (method == "binary_gibbs" || method == "categorical_gibbs")
      refuse("'" + v.name + "' is continuous; " + method +
             " updates discrete variables (continuous: nuts, hmc, metropolis, slice)");
    return;
  }
  if (method != "metropolis" && method != "binary_gibbs" && method != "categorical_gibbs" &&
      method != "slice")
    refuse("'" + v.name + "' is discrete (" + v.family->name +
           "); its methods are metropolis, binary_gibbs, categorical_gibbs, slice");
  const auto support = finite_support(v);
  if (method == "binary_gibbs" && !(support && support->first == 0 && support->second == 2))
    refuse("binary_gibbs needs a 0/1 variable; '" + v.name + "' is " + v.family->name);
  if (method == "categorical_gibbs" && !support)
    refuse(
        "categorical_gibbs needs a variable with finitely many values known now "
        "(Categorical, Bernoulli, DiscreteUniform with fixed bounds); '" +
        v.name + "' is " + v.family->name);
}

// Each name once: a statistic two steps share gets the step's first variable (accept_s__).
std::vector<std::string> stat_names(const std::vector<CompoundStep>& steps) {
  std::vector<std::pair<std::string, const CompoundStep*>> all;
  for (const CompoundStep& s : steps) {
    const std::vector<std::string> names =
        s.discrete ? discrete_stat_names(s.method) : kernel(s.method).stat_names;
    for (const std::string& n : names)
      if (n != "lp__") all.emplace_back(n, &s);
  }
  std::vector<std::string> out = {"lp__"};
  for (const auto& [n, s] : all) {
    const auto uses =
        std::count_if(all.begin(), all.end(), [&](const auto& a) { return a.first == n; });
    out.push_back(uses == 1 ? n : n.substr(0, n.size() - 2) + "_" + s->vars.front() + "__");
  }
  return out;
}

// The layout of some slots only, packed in order (for the initial point's messages).
model::Layout sub_layout(const model::Layout& l, const std::vector<std::string>& vars) {
  model::Layout out;
  for (const model::VarSlot& v : l.vars)
    if (std::find(vars.begin(), vars.end(), v.name) != vars.end()) {
      model::VarSlot s = v;
      s.offset = out.dim;
      out.dim += s.size;
      out.vars.push_back(s);
    }
  return out;
}

std::vector<std::int64_t> indices_of(const model::Layout& l, const std::vector<std::string>& vars) {
  std::vector<std::int64_t> out;
  for (const model::VarSlot& v : l.vars)
    if (std::find(vars.begin(), vars.end(), v.name) != vars.end())
      for (std::int64_t k = 0; k < v.size; ++k) out.push_back(v.offset + k);
  return out;
}

std::vector<std::string> continuous_names(const model::Layout& l) {
  std::vector<std::string> out;
  for (const model::VarSlot& v : l.vars)
    if (!v.discrete) out.push_back(v.name);
  return out;
}

// Note [compound steps].
class CompoundStepper final : public ChainStepper {
 public:
  CompoundStepper(const model::LogDensity& density, const SampleOptions& o, int chain)
      : density_(density),
        o_(o),
        plan_(*o.compound),
        chain_(chain),
        ws_(density.make_workspace()),
        rng_(chain_rng(o.seed, chain)),
        x_(Eigen::Map<const Eigen::VectorXd>(plan_.start.data(),
                                             static_cast<Eigen::Index>(plan_.start.size()))),
        grad_(Eigen::VectorXd::Zero(density.dim())) {
    for (const CompoundStep& s : plan_.steps) {
      Step step;
      if (s.discrete) {
        step.discrete = make_discrete_step(s.method, s.conditional, s.first, s.categories);
        step.stats = discrete_stat_names(s.method).size();
      } else {
        step.spec = &kernel(s.method);
        step.index = indices_of(density.layout(), s.vars);
        step.h = std::make_unique<Hamiltonian>(density, *ws_, step.index, x_);
        step.warmup = std::make_unique<HamiltonianWarmup>(*step.h, o);
        step.stats = step.spec->stat_names.size() - 1;  // all but lp__
        step.buffer.resize(step.spec->stat_names.size());
      }
      steps_.push_back(std::move(step));
    }
  }

  void start() override {
    const auto c = static_cast<std::size_t>(chain_);
    if (c < o_.chain_inits.size()) x_ = o_.chain_inits[c];
    const model::Layout& layout = density_.layout();
    const std::vector<std::string> continuous = continuous_names(layout);
    if (continuous.empty()) {
      if (!std::isfinite(density_(*ws_, x_.data(), grad_.data())))
        throw RuntimeError("the discrete variables' initial values have no density");
    } else {
      // Stan's start for the continuous variables, the discrete ones at their initial values.
      const std::vector<std::int64_t> idx = indices_of(layout, continuous);
      Hamiltonian h(density_, *ws_, idx, x_);
      PhasePoint z;
      z.q = z.grad_logp = Eigen::VectorXd::Zero(h.dim());
      const Objective logp = [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) {
        z.q = q;
        h.evaluate(z);
        g = z.grad_logp;
        return z.logp;
      };
      // Around the chain's own point (radius 0), the given init, or the origin.
      const auto centre = [&](const double* full) {
        std::vector<double> v;
        for (std::int64_t i : idx) v.push_back(full[i]);
        return v;
      };
      const bool own = c < o_.chain_inits.size();
      std::optional<std::vector<double>> around;
      if (own || o_.init) around = centre(own ? x_.data() : o_.init->data());
      const Start st = initial_point(logp, sub_layout(layout, continuous), own ? 0 : o_.init_radius,
                                     around, rng_);
      for (std::size_t k = 0; k < idx.size(); ++k) x_[idx[k]] = st.x[static_cast<Eigen::Index>(k)];
    }
    for (Step& s : steps_) {
      if (s.discrete) continue;
      const Eigen::Index n = s.h->dim();
      s.z.q = s.z.p = s.z.grad_logp = Eigen::VectorXd::Zero(n);
      s.kernel = s.spec->make(*s.h, o_);
      refresh(s);
      if (s.kernel->hamiltonian()) s.warmup->begin(s.z, rng_);
    }
  }

  Eigen::Index stat_count() const override {
    return static_cast<Eigen::Index>(plan_.stat_names.size());
  }

  bool iterate(bool warmup, double* stats) override {
    bool divergent = false;
    double* out = stats + 1;
    for (Step& s : steps_) {
      if (s.discrete) {
        if (s.discrete->update(x_, rng_)) ++moves_;
        s.discrete->stats(out);
        if (warmup) s.discrete->tune();
      } else {
        if (s.seen != moves_) refresh(s);
        const double eps = s.warmup->step_size();
        const Transition t = s.kernel->transition(s.z, eps, rng_);
        for (Eigen::Index k = 0; k < s.z.q.size(); ++k)
          x_[s.at(k)] = s.z.q[k];  // the trajectory left x_ at its last evaluation
        s.seen = lp_seen_ = ++moves_;
        lp_ = s.z.logp;
        divergent = divergent || t.divergent;
        s.kernel->stats(t, eps, s.buffer.data());
        std::copy(s.buffer.begin() + 1, s.buffer.end(), out);
        if (warmup) {
          if (s.kernel->hamiltonian())
            s.warmup->learn(t, s.z, rng_);
          else
            s.kernel->tune(t);
        }
      }
      out += s.stats;
    }
    if (lp_seen_ != moves_) {  // a discrete step moved the state after the last full evaluation
      lp_ = density_(*ws_, x_.data(), grad_.data());
      lp_seen_ = moves_;
      ++extra_evaluations_;
    }
    stats[0] = lp_;
    return divergent;
  }

  void end_warmup() override {
    for (Step& s : steps_)
      if (!s.discrete && s.kernel->hamiltonian()) s.warmup->end(o_.tune);
  }

  const Eigen::VectorXd& position() const override { return x_; }

  std::optional<std::pair<double, Eigen::VectorXd>> adapted() const override {
    for (const Step& s : steps_)
      if (!s.discrete && s.kernel->hamiltonian())
        return std::make_pair(s.warmup->step_size(), s.h->inverse_metric_diagonal());
    return std::nullopt;
  }

  void finish(ChainTrace& r) const override {
    r.gradient_evaluations = extra_evaluations_;
    for (const Step& s : steps_) {
      if (s.discrete) continue;
      r.gradient_evaluations += s.h->gradient_evaluations();
      if (!s.kernel || !s.kernel->hamiltonian()) continue;
      r.step_size = s.warmup->step_size();
      if (s.h->dense()) r.inverse_metric_dense = s.h->inverse_metric_dense();
      if (s.h->form() == Hamiltonian::Form::low_rank)
        r.inverse_metric_low_rank = s.h->inverse_metric_low_rank();
      r.inverse_metric = s.h->inverse_metric_diagonal();
    }
  }

 private:
  struct Step {
    std::unique_ptr<DiscreteStep> discrete;
    const KernelSpec* spec = nullptr;
    std::unique_ptr<Hamiltonian> h;
    std::unique_ptr<HamiltonianWarmup> warmup;
    std::unique_ptr<Kernel> kernel;
    PhasePoint z;
    std::vector<double> buffer;
    std::size_t stats = 0;
    long seen = -1;                   // moves_ when z was last evaluated
    std::vector<std::int64_t> index;  // the block's coordinates in the packed vector
    std::int64_t at(Eigen::Index k) const { return index[static_cast<std::size_t>(k)]; }
  };

  // The block's point from the state, evaluated (another step moved the state).
  void refresh(Step& s) {
    for (Eigen::Index k = 0; k < s.z.q.size(); ++k) s.z.q[k] = x_[s.at(k)];
    s.h->evaluate(s.z);
    s.seen = moves_;
  }

  const model::LogDensity& density_;
  const SampleOptions& o_;
  const Compound& plan_;
  int chain_;
  std::unique_ptr<model::DensityWorkspace> ws_;
  Rng rng_;
  Eigen::VectorXd x_, grad_;
  std::vector<Step> steps_;
  long moves_ = 0, extra_evaluations_ = 0;
  long lp_seen_ = -1;  // moves_ when lp_ was last evaluated
  double lp_ = 0;
};

}  // namespace

std::string Compound::describe() const {
  std::string out;
  for (const CompoundStep& s : steps) {
    out += (out.empty() ? "" : ", ") + s.method + ": [";
    for (std::size_t k = 0; k < s.vars.size(); ++k) out += (k ? ", " : "") + s.vars[k];
    out += "]";
  }
  return out;
}

std::pair<std::string, std::string> parse_step(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw InputError("--step " + spec + ": expected VARIABLE=METHOD, e.g. s=metropolis");
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

std::shared_ptr<const Compound> plan_compound(
    const model::Model& m, const std::vector<std::pair<std::string, std::string>>& overrides,
    const std::string& sampler, const model::CompileOptions& o) {
  const model::Layout layout = m.layout();
  std::map<std::string, std::string> chosen;
  for (const auto& [var, method] : overrides) {
    const auto it = std::find_if(layout.vars.begin(), layout.vars.end(),
                                 [&](const model::VarSlot& s) { return s.name == var; });
    if (it == layout.vars.end()) {
      std::string names;
      for (const model::VarSlot& s : layout.vars) names += (names.empty() ? "" : ", ") + s.name;
      throw InputError("--step " + var + "=" + method + ": no free variable '" + var +
                       "' (free variables: " + names + ")");
    }
    if (!chosen.emplace(var, method_name(method)).second)
      throw InputError("--step: '" + var + "' is given twice");
  }
  if (!layout.has_discrete() && chosen.empty()) return nullptr;

  auto plan = std::make_shared<Compound>();
  std::vector<CompoundStep> discrete, blocks, hamiltonian;
  const auto add_to_block = [](std::vector<CompoundStep>& steps, const std::string& method,
                               const std::string& var) {
    for (CompoundStep& s : steps)
      if (s.method == method) return s.vars.push_back(var);
    steps.push_back({method, {var}});
  };
  for (const model::FreeVar& v : m.free_vars()) {
    const auto it = chosen.find(v.name);
    const std::string method = it != chosen.end() ? it->second : automatic(v, sampler);
    check_fits(v, method);
    if (v.discrete) {
      CompoundStep s{method, {v.name}, true};
      if (const auto support = finite_support(v)) std::tie(s.first, s.categories) = *support;
      s.conditional =
          std::make_shared<const model::Conditional>(model::compile_conditional(m, v.name, o));
      discrete.push_back(std::move(s));
    } else {
      add_to_block(hamiltonian_method(method) ? hamiltonian : blocks, method, v.name);
    }
  }
  if (hamiltonian.size() > 1)
    throw InputError("--step: one Hamiltonian block per chain; both nuts and hmc were asked for");
  for (auto* group : {&discrete, &blocks, &hamiltonian})
    for (CompoundStep& s : *group) plan->steps.push_back(std::move(s));
  plan->start = m.initial_point();
  plan->stat_names = stat_names(plan->steps);
  return plan;
}

ChainTrace run_compound_chain(const model::LogDensity& density, const SampleOptions& o, int chain) {
  CompoundStepper s(density, o, chain);
  return drive_chain(s, o, chain);
}

}  // namespace stochos::infer
