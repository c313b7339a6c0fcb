// The model (SPEC.md §1.2), PyMC's way: named free variables, observed variables, data
// containers, deterministics and potentials, built as one graph. A user never sees a backend
// while building; compile() chooses one (the configured default, or a per-call override).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distributions/distribution.hpp"
#include "model/log_density.hpp"
#include "model/values.hpp"
#include "transforms/transform.hpp"

namespace stochos::model {

using graph::DType;
using graph::Shape;
using graph::Tensor;

struct RvOptions {
  std::optional<Shape> shape = std::nullopt;  // default: the broadcast shape of the parameters
  // PyMC's transform=: "log", "logodds", "interval" (the distribution's lower and upper),
  // "simplex", "ordered" or "none"; unset: the distribution's default.
  std::optional<std::string> transform = std::nullopt;
};

struct ObserveOptions {
  // PyMC's shape= beside observed=: optional, and when given it must equal the data's shape.
  std::optional<Shape> shape = std::nullopt;
};

// A free variable: its constrained value, and the unconstrained input the sampler moves.
struct FreeVar {
  std::string name;        // "tau"
  std::string value_name;  // "tau_log__" (the name itself untransformed)
  const distributions::Family* family;
  distributions::Params params;
  Shape shape;  // constrained
  Shape unconstrained_shape;
  std::unique_ptr<transforms::Transform> transform;  // null: the identity
  Tensor input;                                      // unconstrained, a graph input
  Tensor value;  // constrained: what the model's expressions use
  // Integer-valued (Note [discrete slots]): input and value are one int64 graph input, no
  // transform; samplers move it with the discrete step methods.
  bool discrete = false;
};

struct ObservedVar {
  std::string name;
  const distributions::Family* family;
  distributions::Params params;
  Tensor value;  // a constant, or a data container
};

struct DataVar {
  std::string name;
  Tensor input;  // a graph input whose values the log density binds at run time
  std::vector<double> values;
};

// Refuses, before anything is allocated, a value of this shape and dtype that cannot be held:
// a negative dimension, or more bytes than the machine's physical memory. `what` names it in
// the InputError: "variable 'x': shape [100000000000] needs 800000000000 bytes (745 GiB), more
// than this machine's memory".
void check_fits_in_memory(const std::string& what, const Shape& shape, DType dtype);

class Model {
 public:
  explicit Model(DType floatx = DType::f64);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // PyMC's pm.<Dist>("name", ...): a free variable; returns its constrained value.
  Tensor rv(const std::string& name, const distributions::Distribution& d, const RvOptions& o = {});
  // pm.<Dist>("name", ..., observed=...): values with a shape, or a data container. NaN values
  // are missing entries, imputed as PyMC does (Note [missing data] in model/missing.cpp): the
  // free variable NAME_unobserved, the observed variable NAME_observed over the other entries,
  // and the deterministic NAME, the data with the imputed entries in place, which is returned.
  Tensor observe(const std::string& name, const distributions::Distribution& d,
                 std::vector<double> values, Shape shape, const ObserveOptions& o = {});
  Tensor observe(const std::string& name, const distributions::Distribution& d, const Tensor& data,
                 const ObserveOptions& o = {});
  // pm.Data: values the compiled log density reads at run time and set_data replaces.
  Tensor data(const std::string& name, std::vector<double> values, Shape shape,
              std::optional<DType> dtype = std::nullopt);
  void set_data(const std::string& name, std::vector<double> values);
  // pm.Deterministic and pm.Potential.
  Tensor deterministic(const std::string& name, const Tensor& value);
  void potential(const std::string& name, const Tensor& value);

  graph::Graph& graph() { return *g_; }
  DType floatx() const { return floatx_; }
  const std::vector<FreeVar>& free_vars() const { return free_; }
  const std::vector<ObservedVar>& observed_vars() const { return observed_; }
  const std::vector<DataVar>& data_vars() const { return data_; }
  const std::vector<std::pair<std::string, Tensor>>& deterministics() const { return det_; }
  const std::vector<std::pair<std::string, Tensor>>& potentials() const { return pot_; }
  // Every name the model has claimed, in declaration order (a transformed variable's value
  // name, "tau_log__", after its own).
  const std::vector<std::string>& names() const { return names_; }

  // The log-density term of each variable and potential, in declaration order: sum of the
  // elementwise log density (plus the log-Jacobian of a free variable's transform when
  // `jacobian`), -inf where a parameter that depends on free variables leaves its domain.
  std::vector<std::pair<std::string, Tensor>> terms(bool jacobian) const;
  // Their sum: PyMC's model.logp(jacobian=...).
  Tensor logp(bool jacobian = true) const;
  // The terms in parts whose sums add up to each: a distribution's log density (unsummed when
  // `elementwise`, -inf at the elements where a condition of its shape fails, everywhere when
  // another condition fails), a free variable's log-Jacobian, a potential's value. The
  // conditionals (model/conditional.hpp) read them unsummed.
  struct TermParts {
    std::string name;
    std::vector<Tensor> parts;
  };
  std::vector<TermParts> term_parts(bool jacobian, bool elementwise = true) const;

  // Compiles the joint log density of the packed unconstrained vector, with its gradient:
  // compile_density(logp(o.jacobian), o).
  LogDensity compile(const CompileOptions& o = {}) const;
  // Compiles any scalar log density `lp` of the model's graph (a shard's, model/sharding.hpp) as
  // compile() does logp: the value and its gradient in the continuous free variables, at a
  // packed point, with the data containers bound. InputError when lp is not such a scalar.
  LogDensity compile_density(const Tensor& lp, const CompileOptions& o = {}) const;
  // The constrained free variables and the deterministics at a packed point (for traces).
  ValueFunction compile_values(const CompileOptions& o = {}) const;
  // Any tensors of the model's graph at a packed point, as float64, in order (what
  // compile_values and the conditionals compile).
  ValueFunction compile_outputs(const std::vector<std::pair<std::string, Tensor>>& outputs,
                                const CompileOptions& o = {}) const;
  // The packed layout: free variables in declaration order.
  Layout layout() const;
  // PyMC's initial point: each free variable's support point, transformed, in the packed layout.
  std::vector<double> initial_point() const;

 private:
  enum class Kind { free, observed, potential };
  void claim(const std::string& name);
  // d's parameters in the model's graph; InputErrors name the variable.
  distributions::Params resolve(const std::string& name, const distributions::Distribution& d);
  // Fixed parameters that fail the family's conditions are an InputError now.
  static void check_parameters(const std::string& name, const distributions::Family& f,
                               const distributions::Params& p);
  // A free variable of a resolved, checked distribution (`name` claimed), as rv() adds it.
  Tensor add_free(const std::string& name, const distributions::Family& f, distributions::Params p,
                  const Shape& shape, const std::optional<std::string>& transform);
  // A discrete free variable (`name` claimed): its int64 values, as rv() adds it.
  Tensor add_discrete(const std::string& name, const distributions::Family& f,
                      distributions::Params p, const Shape& shape);
  // An observed variable (`name` claimed) of a value in the model's float type; its data are
  // checked against the support now where they can be. `positions`, when given, are the flat
  // indices in the data of `shown` that value's elements come from, for messages.
  void add_observed(const std::string& name, const std::string& shown,
                    const distributions::Family& f, distributions::Params p, const Tensor& value,
                    const std::vector<std::int64_t>* positions = nullptr);
  // observe() with NaN entries: model/missing.cpp.
  Tensor observe_missing(const std::string& name, const distributions::Distribution& d,
                         const std::vector<double>& values, const Shape& shape);
  // The term of one distribution at `value`: the summed log density (unsummed when `elementwise`),
  // -inf where a parameter that is not fixed fails its conditions or (check_support) the value
  // leaves the support.
  Tensor term(const distributions::Family& f, const distributions::Params& p, const Tensor& value,
              bool check_support, bool elementwise) const;

  std::unique_ptr<graph::Graph> g_;
  DType floatx_;
  std::vector<std::string> names_;
  std::vector<FreeVar> free_;
  std::vector<ObservedVar> observed_;
  std::vector<DataVar> data_;
  std::vector<std::pair<std::string, Tensor>> det_, pot_;
  std::vector<std::pair<Kind, std::size_t>> order_;  // the terms, in declaration order
  std::vector<char> free_checked_;      // per free variable: its value may leave the support
  std::vector<char> observed_checked_;  // per observed variable: its support is checked per call
};

}  // namespace stochos::model
