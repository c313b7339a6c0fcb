#include "distributions/distribution.hpp"

#include <algorithm>

#include "stochos/error.hpp"
#include "stochos/nearest.hpp"

namespace stochos::distributions {

Tensor Arg::in(Graph& g, DType floatx) const {
  switch (kind_) {
    case Kind::number:
      return graph::constant(g, number_, floatx);
    case Kind::array:
      return graph::constant(g, shape_, values_, floatx);
    case Kind::tensor:
      if (&tensor_.graph() != &g) throw InputError("a parameter is an expression of another model");
      return tensor_;
    case Kind::distribution:
    case Kind::list:
      throw InputError("a distribution where a value is expected");
  }
  return tensor_;
}

Arg::Arg(const Distribution& d)
    : kind_(Kind::distribution), dists_(std::make_shared<std::vector<Distribution>>(1, d)) {}
Arg::Arg(const std::vector<Distribution>& ds)
    : kind_(Kind::list), dists_(std::make_shared<std::vector<Distribution>>(ds)) {}

Tensor Nested::logp(const Tensor& x) const {
  return family->logp(x, *params);
}
Tensor Nested::in_support(const Tensor& x) const {
  return family->in_support(x, *params);
}
Shape Nested::shape() const {
  if (family->shape) return family->shape(*params);
  Shape s;
  for (const auto& [name, t] : params->all()) {
    const auto b = graph::broadcast_shapes(s, t.shape());
    if (!b)
      throw InputError(family->name + ": parameter " + name + " of shape " +
                       graph::shape_str(t.shape()) + " does not broadcast with " +
                       graph::shape_str(s));
    s = *b;
  }
  return s;
}

bool Family::takes_distribution(std::string_view param) const {
  return std::find(distribution_params.begin(), distribution_params.end(), param) !=
         distribution_params.end();
}
bool Family::takes_list(std::string_view param) const {
  return std::find(list_params.begin(), list_params.end(), param) != list_params.end();
}

std::vector<Condition> nested_conditions(const Params& p) {
  std::vector<Condition> out;
  for (const auto& [name, arg] : p.all_nested())
    for (std::size_t i = 0; i < arg.items.size(); ++i) {
      const Nested& n = arg.items[i];
      if (!n.family->param_conditions) continue;
      const std::string where = arg.list
                                    ? name + "[" + std::to_string(i) + "] (" + n.family->name + ")"
                                    : name + " (" + n.family->name + ")";
      for (Condition c : n.family->param_conditions(*n.params))
        out.push_back({where + ": " + c.what, std::move(c.holds)});
    }
  return out;
}

const NumericNested& NumericDist::nested_arg(std::string_view name) const {
  for (const NumericNested& n : nested)
    if (n.name == name) return n;
  throw std::logic_error("no nested distribution '" + std::string(name) + "'");
}

const Shape& NumericDist::shape_of(std::string_view name) const {
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].first == name) return shapes.at(i);
  throw std::logic_error("no numeric parameter '" + std::string(name) + "'");
}

NumericDist numeric_dist(const Family& f, const Params& p,
                         const std::function<std::vector<double>(const Tensor&)>& values) {
  NumericDist d{&f, {}, {}, {}};
  for (const auto& [name, t] : p.all()) {
    d.params.emplace_back(name, values(t));
    d.shapes.push_back(t.shape());
  }
  for (const auto& [name, arg] : p.all_nested()) {
    NumericNested n{name, {}, arg.list};
    for (const Nested& item : arg.items)
      n.items.push_back(numeric_dist(*item.family, *item.params, values));
    d.nested.push_back(std::move(n));
  }
  return d;
}

void draw_elementwise(Rng& rng, const NumericDist& d, std::span<double> out) {
  const Family& f = *d.family;
  if (!f.draw) throw InputError(f.name + " cannot be drawn elementwise");
  std::vector<std::string> names;
  for (const auto& [n, v] : d.params) names.push_back(n);
  std::vector<double> values(names.size());
  const ScalarParams sp{names, values};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t k = 0; k < values.size(); ++k) {
      const auto& v = d.params[k].second;
      values[k] = v[i % v.size()];
    }
    out[i] = f.draw(rng, sp);
  }
}

Graph* Arg::graph() const {
  return kind_ == Kind::tensor ? &tensor_.graph() : nullptr;
}

double ScalarParams::operator[](std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return values[i];
  throw std::logic_error("no scalar parameter '" + std::string(name) + "'");
}

bool ScalarParams::has(std::string_view name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<double>& numeric(const NumericParams& p, std::string_view name) {
  for (const auto& [n, v] : p)
    if (n == name) return v;
  throw std::logic_error("no numeric parameter '" + std::string(name) + "'");
}

void Params::set(std::string name, Tensor t) {
  values_.emplace_back(std::move(name), std::move(t));
}

void Params::set_nested(std::string name, NestedArg n) {
  nested_.emplace_back(std::move(name), std::move(n));
}

bool Params::has_nested(std::string_view name) const {
  return std::any_of(nested_.begin(), nested_.end(),
                     [&](const auto& v) { return v.first == name; });
}

const NestedArg& Params::nested(std::string_view name) const {
  for (const auto& [n, a] : nested_)
    if (n == name) return a;
  throw std::logic_error("distribution argument '" + std::string(name) + "' was not resolved");
}

bool Params::has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(),
                     [&](const auto& v) { return v.first == name; });
}

const Tensor& Params::operator[](std::string_view name) const {
  for (const auto& [n, t] : values_)
    if (n == name) return t;
  throw std::logic_error("distribution parameter '" + std::string(name) + "' was not resolved");
}

bool Bound::has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(),
                     [&](const auto& v) { return v.first == name; });
}

Tensor Bound::get(std::string_view name) const {
  for (const auto& [n, t] : values_)
    if (n == name) return t;
  throw InputError("missing parameter '" + std::string(name) + "'");
}

bool Bound::has_nested(std::string_view name) const {
  return std::any_of(nested_.begin(), nested_.end(),
                     [&](const auto& v) { return v.first == name; });
}

const NestedArg& Bound::nested(std::string_view name) const {
  for (const auto& [n, a] : nested_)
    if (n == name) return a;
  throw InputError("missing parameter '" + std::string(name) + "'");
}

Tensor Bound::get(std::string_view name, double fallback) const {
  if (has(name)) return get(name);
  return graph::constant(*g_, fallback, floatx_);
}

Params Distribution::resolve(Graph& g, DType floatx) const {
  const Family& f = *f_;
  Bound b(g, floatx);
  std::size_t next_positional = 0;
  bool seen_keyword = false;
  for (const NamedArg& a : args_) {
    std::string name = a.name;
    if (name.empty()) {
      if (seen_keyword)
        throw InputError(f.name + ": a positional argument follows a keyword argument");
      if (next_positional >= f.positional.size())
        throw InputError(f.name + " takes at most " + std::to_string(f.positional.size()) +
                         " positional arguments (" + std::to_string(args_.size()) + " given)");
      name = f.positional[next_positional++];
    } else {
      seen_keyword = true;
      if (std::find(f.keywords.begin(), f.keywords.end(), name) == f.keywords.end()) {
        if (renamed_parameter(f, name)) throw InputError(unknown_parameter(f, name, f.keywords));
        std::string valid;
        for (const auto& k : f.keywords) valid += (valid.empty() ? "" : ", ") + k;
        throw InputError(unknown_parameter(f, name, f.keywords) + "; its parameters: " + valid);
      }
    }
    if (b.has(name) || b.has_nested(name))
      throw InputError(f.name + ": parameter '" + name + "' given twice");
    if (f.takes_distribution(name) != a.value.is_distribution())
      throw InputError(f.name + ": parameter '" + name + "' takes " +
                       (a.value.is_distribution() ? "a value, not a distribution"
                                                  : "a distribution, not a value"));
    if (a.value.is_distribution()) {
      if (a.value.is_list() && !f.takes_list(name))
        throw InputError(f.name + ": parameter '" + name + "' takes one distribution, not a list");
      NestedArg n{{}, a.value.is_list()};
      for (const Distribution& d : a.value.distributions()) {
        Params inner = [&] {
          try {
            return d.resolve(g, floatx);
          } catch (const InputError& e) {
            throw InputError(f.name + ": " + name + ": " + e.what());
          }
        }();
        n.items.push_back({&d.family(), std::make_shared<const Params>(std::move(inner))});
      }
      b.add_nested(std::move(name), std::move(n));
      continue;
    }
    Tensor t = a.value.in(g, floatx);
    // Integer data (an int array) is a fine real parameter: promote it.
    if (t.dtype() != floatx && t.dtype() != DType::boolean) t = graph::cast(t, floatx);
    b.add(std::move(name), std::move(t));
  }
  Params p = f.resolve(b);
  // Distribution arguments the family did not place itself (a default init_dist it did).
  for (const auto& [name, n] : b.all_nested())
    if (!p.has_nested(name)) p.set_nested(name, n);
  p.place(g, floatx);
  return p;
}

Distribution make(std::string_view family_name, std::vector<NamedArg> args) {
  return Distribution(family(family_name), std::move(args));
}

}  // namespace stochos::distributions
