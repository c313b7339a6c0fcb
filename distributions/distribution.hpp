// Distributions (SPEC.md §4): each is a Family — its parameters with PyMC's names and
// alternatives, a log density written in graph operations, the conditions its parameters must
// meet, its support, its default transform, its support point and its random draws — and a
// Distribution is a family with the arguments a model gave it. Families register by name, so
// the .stoch language and the C++ API build the same objects (Note [distribution arguments]).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "graph/tensor.hpp"
#include "transforms/transform.hpp"

namespace stochos::distributions {

using graph::DType;
using graph::Graph;
using graph::Shape;
using graph::Tensor;

class Distribution;

// A parameter as a model gives it: a number, numbers with a shape, a model expression, or a
// distribution (or a list of them) where the family takes one (Note [distributions as
// arguments]).
class Arg {
 public:
  Arg(double v) : kind_(Kind::number), number_(v) {}                    // NOLINT: implicit
  Arg(int v) : kind_(Kind::number), number_(static_cast<double>(v)) {}  // NOLINT
  Arg(Tensor t) : kind_(Kind::tensor), tensor_(std::move(t)) {}         // NOLINT
  Arg(std::vector<double> values, Shape shape)  // shape {n} for a plain list
      : kind_(Kind::array), values_(std::move(values)), shape_(std::move(shape)) {}
  Arg(std::initializer_list<double> values)  // NOLINT: {1, 2, 3}
      : kind_(Kind::array), values_(values), shape_{static_cast<std::int64_t>(values.size())} {}
  Arg(const Distribution& d);                // NOLINT: init_dist=Normal(0, 10)
  Arg(const std::vector<Distribution>& ds);  // NOLINT: [Normal(m0, s0), Normal(m1, s1)]

  // The value as a node of g; numbers become constants of dtype `floatx`. InputError for a
  // distribution.
  Tensor in(Graph& g, DType floatx) const;
  // The graph of a tensor argument, if there is one.
  Graph* graph() const;
  // A distribution or a list of them; the list's items (one for a single distribution).
  bool is_distribution() const { return kind_ == Kind::distribution || kind_ == Kind::list; }
  bool is_list() const { return kind_ == Kind::list; }
  const std::vector<Distribution>& distributions() const { return *dists_; }

 private:
  // A plain struct rather than std::variant: g++ 12 warns falsely about copies of variants.
  enum class Kind { number, array, tensor, distribution, list };
  Kind kind_;
  double number_ = 0;
  std::vector<double> values_;
  Shape shape_;
  Tensor tensor_;
  std::shared_ptr<const std::vector<Distribution>> dists_;
};

// Note [distribution arguments]: arguments bind like Python's: positional ones in the family's
// order, then keywords, each name at most once; names a family accepts as alternatives
// (Normal's sigma or tau) resolve to its canonical parameters, which logp and the rest see.
//
// Note [distributions as arguments]: a family lists the parameters that take a distribution
// (`distribution_params`: init_dist, comp_dists, sd_dist) and which of them also take a list
// (`list_params`). Such an argument is resolved into the same graph as the family's own
// parameters and reaches logp and the rest as a NestedArg (Params::nested); a distribution given
// for a value parameter, or a value for a distribution parameter, is an InputError naming the
// parameter. A family appends nested_conditions(p) to its own conditions so that a bad constant
// inside (init_dist=Normal(0, -1)) is refused like its own, and draws its value by draw_value
// from a NumericDist that carries the nested distributions' numbers.
struct NamedArg {
  std::string name;  // empty: positional
  Arg value;
};

struct Family;
class Params;

// A distribution given as an argument, resolved into the model's graph with its family.
struct Nested {
  const Family* family;
  std::shared_ptr<const Params> params;
  // Its elementwise log density at x, and where x is in its support.
  Tensor logp(const Tensor& x) const;
  Tensor in_support(const Tensor& x) const;
  // Its parameters' broadcast shape (one draw's, for a univariate family).
  Shape shape() const;
};

// The distributions one parameter was given: one, or a list (`list` true, even of one).
struct NestedArg {
  std::vector<Nested> items;
  bool list = false;
};

// Canonical parameters resolved into the model's graph.
class Params {
 public:
  void set(std::string name, Tensor t);
  // The graph and float type the parameters live in (for constants a family needs).
  Graph& graph() const { return *g_; }
  DType floatx() const { return floatx_; }
  void place(Graph& g, DType floatx) {
    g_ = &g;
    floatx_ = floatx;
  }
  bool has(std::string_view name) const;
  const Tensor& operator[](std::string_view name) const;
  const std::vector<std::pair<std::string, Tensor>>& all() const { return values_; }
  // Distribution arguments, by canonical name; all() leaves them out.
  void set_nested(std::string name, NestedArg n);
  bool has_nested(std::string_view name) const;
  const NestedArg& nested(std::string_view name) const;
  const std::vector<std::pair<std::string, NestedArg>>& all_nested() const { return nested_; }

 private:
  std::vector<std::pair<std::string, Tensor>> values_;
  std::vector<std::pair<std::string, NestedArg>> nested_;
  Graph* g_ = nullptr;
  DType floatx_ = DType::f64;
};

// The arguments as bound to names, before the family resolves alternatives.
class Bound {
 public:
  Bound(Graph& g, DType floatx) : g_(&g), floatx_(floatx) {}
  bool has(std::string_view name) const;
  Tensor get(std::string_view name) const;                   // throws when absent
  Tensor get(std::string_view name, double fallback) const;  // a constant when absent
  Graph& graph() const { return *g_; }
  DType floatx() const { return floatx_; }
  void add(std::string name, Tensor t) { values_.emplace_back(std::move(name), std::move(t)); }
  // Distribution arguments (resolved), by name.
  bool has_nested(std::string_view name) const;
  const NestedArg& nested(std::string_view name) const;  // throws when absent
  void add_nested(std::string name, NestedArg n) {
    nested_.emplace_back(std::move(name), std::move(n));
  }
  const std::vector<std::pair<std::string, NestedArg>>& all_nested() const { return nested_; }

 private:
  Graph* g_;
  DType floatx_;
  std::vector<std::pair<std::string, Tensor>> values_;
  std::vector<std::pair<std::string, NestedArg>> nested_;
};

using Rng = std::mt19937_64;

// One value of each canonical parameter, by position (Params order) or by name (for draws).
struct ScalarParams {
  std::span<const std::string> names;
  std::span<const double> values;
  double operator[](std::size_t i) const { return values[i]; }
  double operator[](std::string_view name) const;
  bool has(std::string_view name) const;
};

// Parameter values as numbers, by canonical name (for draws).
using NumericParams = std::vector<std::pair<std::string, std::vector<double>>>;
const std::vector<double>& numeric(const NumericParams& p, std::string_view name);

// A condition on parameters, described for error messages: {"sigma > 0", sigma > 0}.
struct Condition {
  std::string what;
  Tensor holds;  // bool, true where the condition is met
};

// The conditions of every distribution argument, each named by it ("init_dist: sigma > 0"),
// for a family's param_conditions to append.
std::vector<Condition> nested_conditions(const Params& p);

// A distribution as numbers, for draws: its canonical parameters' values (row-major) and
// shapes, and its distribution arguments the same way.
struct NumericDist;
struct NumericNested {
  std::string name;
  std::vector<NumericDist> items;
  bool list = false;
};
struct NumericDist {
  const Family* family = nullptr;
  NumericParams params;
  std::vector<Shape> shapes;  // params' shapes, in order
  std::vector<NumericNested> nested;
  const NumericNested& nested_arg(std::string_view name) const;
  const Shape& shape_of(std::string_view name) const;
};
// The numbers of a resolved distribution, each parameter's values from `values`.
NumericDist numeric_dist(const Family& f, const Params& p,
                         const std::function<std::vector<double>(const Tensor&)>& values);
// Fills `out` with draws of a univariate family, element i from element i of each parameter
// (a parameter's values repeat when its shape is a suffix of the value's: i modulo its size).
void draw_elementwise(Rng& rng, const NumericDist& d, std::span<double> out);

// Every member has a default, so a family's definition names only what it has.
struct Family {
  std::string name = {};                     // PyMC's: "Normal"
  std::vector<std::string> positional = {};  // the order positional arguments bind in
  std::vector<std::string> keywords = {};    // every accepted name (positional ones included)
  bool discrete = false;
  // 0 for scalar values; 1 for vectors (MvNormal, Dirichlet), whose log density gives one number
  // per vector along the last axis.
  int event_rank = 0;
  // The shape of one draw; unset: the parameters' broadcast shape (univariate families).
  std::function<Shape(const Params&)> shape = nullptr;
  // Bound arguments -> canonical parameters; throws InputError when a required one is missing
  // or two alternatives are both given.
  std::function<Params(const Bound&)> resolve = nullptr;
  // Elementwise log density of x (its shape broadcast with the parameters'), normalised.
  std::function<Tensor(const Tensor& x, const Params&)> logp = nullptr;
  // Conditions the parameters must meet everywhere (sigma > 0): a constant that fails is an
  // input error naming the variable; one that depends on free variables makes log p -inf.
  std::function<std::vector<Condition>(const Params&)> param_conditions = nullptr;
  // Where x is in the support (a bool tensor of x's shape); data outside it is an input error.
  std::function<Tensor(const Tensor& x, const Params&)> in_support = nullptr;
  // The default transform of a free variable; null for the real line.
  std::function<std::unique_ptr<transforms::Transform>(const Params&)> transform = nullptr;
  // A point of the support to start from (PyMC's moment: a mean, median or mode).
  std::function<Tensor(const Params&)> support_point = nullptr;
  // One draw given one value of each canonical parameter (univariate families).
  std::function<double(Rng&, const ScalarParams&)> draw = nullptr;
  // One event of a multivariate family (K values to `out`) from every parameter's values,
  // row-major, by canonical name.
  std::function<void(Rng&, const NumericParams&, std::span<double>)> draw_event = nullptr;
  // Parameters that take a distribution rather than a value (GaussianRandomWalk's init_dist,
  // Mixture's comp_dists), and those of them that also take a list of distributions.
  std::vector<std::string> distribution_params = {};
  std::vector<std::string> list_params = {};
  // Discrete for some arguments only (a Mixture of Poissons); overrides `discrete` when set.
  std::function<bool(const Params&)> discrete_for = nullptr;
  // A whole value of `shape` (row-major to `out`) of a family with distribution arguments.
  std::function<void(Rng&, const NumericDist&, const Shape&, std::span<double>)> draw_value =
      nullptr;
  bool takes_distribution(std::string_view param) const;
  bool takes_list(std::string_view param) const;
  bool is_discrete(const Params& p) const { return discrete_for ? discrete_for(p) : discrete; }
};

// Every family, by name (distributions/registry.cpp); an unknown name is an InputError that
// suggests the nearest known one (or, for a PyMC 3 name, what to write instead).
const Family& family(std::string_view name);
std::vector<std::string> family_names();

// PyMC 3's names that PyMC 4 and 5 renamed, which PyMC users carry over (Note [PyMC 3
// names]). For a keyword f does not take: what to write instead, as the end of the message
// "Normal has no parameter 'sd'" — " (PyMC 3's name); write sigma=" — and nothing when `name`
// is no such name or f has no replacement for it.
std::optional<std::string> renamed_parameter(const Family& f, std::string_view name);
// The same for a distribution name: " (PyMC 3's name); write LogNormal" for 'Lognormal'.
std::optional<std::string> renamed_family(std::string_view name);
// The whole message for a keyword f does not take: its PyMC 3 replacement, or the nearest of
// `valid` (its keywords, and whatever else the caller accepts) when one is near.
std::string unknown_parameter(const Family& f, std::string_view name,
                              const std::vector<std::string>& valid);

// A family with its arguments, as `Normal(0, 5)` or `Normal(mu=0, tau=0.1)` writes it.
class Distribution {
 public:
  Distribution(const Family& f, std::vector<NamedArg> args) : f_(&f), args_(std::move(args)) {}
  const Family& family() const { return *f_; }
  const std::vector<NamedArg>& args() const { return args_; }
  // Binds and resolves the arguments into g; InputError on a bad argument list.
  Params resolve(Graph& g, DType floatx) const;

 private:
  const Family* f_;
  std::vector<NamedArg> args_;
};

// Builds a distribution by family name: what the language calls.
Distribution make(std::string_view family_name, std::vector<NamedArg> args);

// The C++ API, PyMC's names, positional order and defaults, in the canonical parameterisation;
// the alternatives by keyword through make(): make("Normal", {{"mu", 0}, {"tau", 2}}),
// make("Gamma", {{"mu", 2}, {"sigma", 1}}), make("Bernoulli", {{"logit_p", eta}}).
// Continuous:
Distribution Normal(Arg mu = 0.0, Arg sigma = 1.0);
Distribution HalfNormal(Arg sigma = 1.0);
Distribution TruncatedNormal(Arg mu = 0.0, Arg sigma = 1.0, std::optional<Arg> lower = std::nullopt,
                             std::optional<Arg> upper = std::nullopt);
Distribution SkewNormal(Arg alpha = 1.0, Arg mu = 0.0, Arg sigma = 1.0);  // PyMC's order
Distribution StudentT(Arg nu, Arg mu = 0.0, Arg sigma = 1.0);
Distribution HalfStudentT(Arg nu, Arg sigma = 1.0);
Distribution Cauchy(Arg alpha, Arg beta);
Distribution HalfCauchy(Arg beta);
Distribution Laplace(Arg mu, Arg b);
Distribution Logistic(Arg mu = 0.0, Arg s = 1.0);
Distribution Exponential(Arg lam);
Distribution Gamma(Arg alpha, Arg beta);
Distribution InverseGamma(Arg alpha, Arg beta = 1.0);
Distribution ChiSquared(Arg nu);
Distribution Weibull(Arg alpha, Arg beta);
Distribution LogNormal(Arg mu = 0.0, Arg sigma = 1.0);
Distribution Beta(Arg alpha, Arg beta);
Distribution Uniform(Arg lower = 0.0, Arg upper = 1.0);
Distribution Flat();      // improper: log p = 0 on the reals
Distribution HalfFlat();  // improper: log p = 0 on x > 0
Distribution NormalMixture(Arg w, Arg mu, Arg sigma);
// Discrete (observed only: the samplers move continuous variables):
Distribution Bernoulli(Arg p);
Distribution Binomial(Arg n, Arg p);
Distribution BetaBinomial(Arg alpha, Arg beta, Arg n);
Distribution Poisson(Arg mu);
Distribution NegativeBinomial(Arg mu, Arg alpha);
Distribution Geometric(Arg p);
Distribution DiscreteUniform(Arg lower, Arg upper);
Distribution ZeroInflatedPoisson(Arg psi, Arg mu);
// The categories on the last axis of p (or logit_p) and of cutpoints (K - 1 of them):
Distribution Categorical(Arg p);
Distribution OrderedLogistic(Arg eta, Arg cutpoints);
// Multivariate:
Distribution MvNormal(Arg mu, Arg cov);  // also make("MvNormal", {{"mu", m}, {"chol", L}}) or tau
Distribution Dirichlet(Arg a);
Distribution Multinomial(Arg n, Arg p);  // discrete: observed only
// LKJ over n x n correlation matrices (distributions/lkj.cpp): LKJCorr's value is the packed strict
// upper triangle of the correlations, LKJCholeskyCov's the packed lower Cholesky factor of the
// covariance (PyMC's layouts; transforms/triangular.hpp).
Distribution LKJCorr(Arg n, Arg eta);
Distribution LKJCholeskyCov(Arg eta, Arg n, const Distribution& sd_dist);  // PyMC's order
// Time series, the time axis last, its length from `steps` or the variable's shape= (or data);
// init_dist defaults to Normal(0, 100), as in PyMC:
Distribution GaussianRandomWalk(Arg mu = 0.0, Arg sigma = 1.0,
                                std::optional<Distribution> init_dist = std::nullopt,
                                std::optional<std::int64_t> steps = std::nullopt);
struct ArOptions {
  bool constant = false;  // rho's first entry is the intercept
  std::optional<Distribution> init_dist = std::nullopt;
  std::optional<std::int64_t> ar_order = std::nullopt;  // checked against rho's length
  std::optional<std::int64_t> steps = std::nullopt;
};
Distribution AR(Arg rho, Arg sigma = 1.0, ArOptions o = {});
// Mixtures: components of one support, as a list or as one distribution whose parameters have
// the components on their last axis; w's last axis has the weights.
Distribution Mixture(Arg w, const std::vector<Distribution>& comp_dists);
Distribution Mixture(Arg w, const Distribution& comp_dists);

}  // namespace stochos::distributions
