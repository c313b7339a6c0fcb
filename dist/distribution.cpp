#include "dist/distribution.hpp"

#include <algorithm>

#include "stochos/error.hpp"
#include "stochos/nearest.hpp"

namespace stochos::dist {

Tensor Arg::in(Graph& g, DType floatx) const {
  switch (kind_) {
    case Kind::number:
      return graph::constant(g, number_, floatx);
    case Kind::array:
      return graph::constant(g, shape_, values_, floatx);
    case Kind::tensor:
      if (&tensor_.graph() != &g) throw InputError("a parameter is an expression of another model");
      return tensor_;
  }
  return tensor_;
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
        std::string valid;
        for (const auto& k : f.keywords) valid += (valid.empty() ? "" : ", ") + k;
        throw InputError(f.name + " has no parameter '" + name + "'" +
                         did_you_mean(name, f.keywords) + "; its parameters: " + valid);
      }
    }
    if (b.has(name)) throw InputError(f.name + ": parameter '" + name + "' given twice");
    Tensor t = a.value.in(g, floatx);
    // Integer data (an int array) is a fine real parameter: promote it.
    if (t.dtype() != floatx && t.dtype() != DType::boolean) t = graph::cast(t, floatx);
    b.add(std::move(name), std::move(t));
  }
  Params p = f.resolve(b);
  p.place(g, floatx);
  return p;
}

Distribution make(std::string_view family_name, std::vector<NamedArg> args) {
  return Distribution(family(family_name), std::move(args));
}

}  // namespace stochos::dist
