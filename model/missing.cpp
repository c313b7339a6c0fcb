// Missing data (SPEC.md §3): observe() with NaN entries.
//
// Note [missing data]
// PyMC's imputation. The variable NAME over data of shape S with M missing entries becomes
//   - NAME_unobserved, a free variable of shape [M] of the same family, its parameters taken at
//     the missing positions (each broadcast to S, flattened and gathered), with the family's
//     default transform: the sampler moves the missing entries like any other unknown;
//   - NAME_observed, an observed variable over the other entries (parameters gathered the same
//     way), absent when every entry is missing;
//   - NAME, a deterministic of shape S: the observed values with NAME_unobserved scattered into
//     the missing positions, which is what expressions and the trace see.
// The log density is then the observed entries' terms plus NAME_unobserved's prior terms. Only
// elementwise families can be split by entry. A discrete family's NAME_unobserved is a discrete
// free variable (Note [discrete slots]), moved by the discrete step methods.
#include <cmath>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

namespace {

// True when the family's value is one scalar per entry, each with its own parameters.
bool elementwise(const distributions::Family& f) {
  return f.event_rank == 0 && !f.shape && !f.draw_event && !f.draw_value &&
         f.distribution_params.empty();
}

// The parameters at the flat positions `at` of a value of shape `shape`; scalars stay as they are.
distributions::Params gathered(const distributions::Params& p, const Shape& shape,
                               const std::vector<std::int64_t>& at) {
  distributions::Params out;
  out.place(p.graph(), p.floatx());
  std::vector<double> idx(at.begin(), at.end());
  const Tensor indices = graph::constant(p.graph(), Shape{static_cast<std::int64_t>(at.size())},
                                         std::move(idx), DType::i64);
  for (const auto& [name, t] : p.all()) {
    if (t.shape().empty()) {
      out.set(name, t);
      continue;
    }
    const Tensor full = t.shape() == shape ? t : graph::broadcast_to(t, shape);
    out.set(name, graph::gather(graph::reshape(full, Shape{graph::numel(shape)}), indices));
  }
  return out;
}

}  // namespace

Tensor Model::observe_missing(const std::string& name, const distributions::Distribution& d,
                              const std::vector<double>& values, const Shape& shape) {
  const distributions::Family& f = d.family();
  if (!elementwise(f))
    throw InputError("observed variable '" + name + "' has missing entries, which need a family " +
                     "whose draws are scalars, one per entry; " + f.name + " is " +
                     (f.event_rank != 0 ? "multivariate" : "not elementwise"));
  claim(name);
  distributions::Params p = resolve(name, d);
  check_parameters(name, f, p);
  for (const auto& [pname, t] : p.all()) {
    const auto b = graph::broadcast_shapes(t.shape(), shape);
    if (!b || *b != shape)
      throw InputError("observed variable '" + name + "': data of shape " +
                       graph::shape_str(shape) + " but parameter " + pname + " of shape " +
                       graph::shape_str(t.shape()));
  }

  std::vector<std::int64_t> observed, missing;
  std::vector<double> observed_values, filled(values.size(), 0.0);
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (std::isnan(values[k])) {
      missing.push_back(static_cast<std::int64_t>(k));
      continue;
    }
    observed.push_back(static_cast<std::int64_t>(k));
    observed_values.push_back(values[k]);
    filled[k] = values[k];
  }
  const auto count = [](const std::vector<std::int64_t>& v) {
    return Shape{static_cast<std::int64_t>(v.size())};
  };

  const std::string unobserved = name + "_unobserved";
  claim(unobserved);
  const bool discrete = f.is_discrete(p);
  distributions::Params at_missing = gathered(p, shape, missing);
  const Tensor imputed =
      discrete
          ? graph::cast(add_discrete(unobserved, f, std::move(at_missing), count(missing)), floatx_)
          : add_free(unobserved, f, std::move(at_missing), count(missing), std::nullopt);
  if (!observed.empty()) {
    const std::string observed_name = name + "_observed";
    claim(observed_name);
    const Tensor value = graph::constant(*g_, count(observed), std::move(observed_values), floatx_);
    add_observed(observed_name, name, f, gathered(p, shape, observed), value, &observed);
  }

  const std::int64_t n = graph::numel(shape);
  std::vector<double> at(missing.begin(), missing.end());
  const Tensor positions = graph::constant(*g_, count(missing), std::move(at), DType::i64);
  const Tensor full = graph::constant(*g_, Shape{n}, std::move(filled), floatx_) +
                      graph::scatter_add(imputed, positions, n);
  const Tensor value = graph::reshape(full, shape);
  det_.emplace_back(name, value);
  return value;
}

}  // namespace stochos::model
