// Mixture(w, comp_dists): log p(x) = logsumexp_k(log w_k + log p_k(x)), the weights on w's last
// axis and the components given as a list of univariate distributions of one support
// ([Normal(m0, s0), Normal(m1, s1)]) or as one distribution whose parameters carry the components
// on their last axis (Normal(mu=[0, 5], sigma=1)). NormalMixture is the second form with Normal
// written in.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

Tensor mixture_logp(const Tensor& w, const Tensor& component_logps) {
  const Tensor c = log(w) + component_logps;
  return logsumexp(c, static_cast<std::int64_t>(c.rank()) - 1);
}

std::vector<Condition> weight_conditions(const Tensor& w) {
  const Tensor total = sum(w, static_cast<std::int64_t>(w.rank()) - 1);
  return {{"w >= 0", greater_equal(w, scalar_like(w, 0.0))},
          {"w summing to 1", less(abs(total - 1.0), scalar_like(total, 1e-6))}};
}

namespace {

const std::string kName = "Mixture";

const NestedArg& components(const Params& p) {
  return p.nested("comp_dists");
}

// The default transform's name of a component ("" for the real line).
std::string transform_name(const Nested& n) {
  if (!n.family->transform) return "";
  return n.family->transform(*n.params)->name();
}

Shape broadcast_or_throw(const Shape& a, const Shape& b, const std::string& what) {
  const auto s = broadcast_shapes(a, b);
  if (!s)
    throw InputError(kName + ": " + what + " of shape " + shape_str(b) +
                     " does not broadcast with " + shape_str(a));
  return *s;
}

// The value's shape: w's and the components' batch shapes, without the component axis.
Shape value_shape(const Params& p) {
  const NestedArg& c = components(p);
  Shape w = p["w"].shape();
  if (w.empty()) throw InputError(kName + ": w needs the weights on its last axis");
  const std::int64_t k = w.back();
  w.pop_back();
  Shape s = w;
  if (c.list) {
    if (k != 1 && k != static_cast<std::int64_t>(c.items.size()))
      throw InputError(kName + ": " + std::to_string(k) + " weights for " +
                       std::to_string(c.items.size()) + " components");
    for (std::size_t i = 0; i < c.items.size(); ++i)
      s = broadcast_or_throw(s, c.items[i].shape(), "component " + std::to_string(i));
    return s;
  }
  Shape comp = c.items[0].shape();
  if (comp.empty() || (comp.back() != k && comp.back() != 1 && k != 1))
    throw InputError(kName + ": the component distribution needs its " + std::to_string(k) +
                     " components on its parameters' last axis (its shape is " + shape_str(comp) +
                     ")");
  comp.pop_back();
  return broadcast_or_throw(s, comp, "the component distribution");
}

Tensor with_component_axis(const Tensor& x) {
  Shape s = x.shape();
  s.push_back(1);
  return reshape(x, s);
}

// Every component's log density of x, the components on a new last axis.
Tensor component_logps(const Tensor& x, const Params& p) {
  const NestedArg& c = components(p);
  if (!c.list) return c.items[0].logp(with_component_axis(x));
  std::vector<Tensor> parts;
  Shape s = x.shape();
  for (const Nested& n : c.items) s = broadcast_or_throw(s, n.shape(), "a component");
  for (const Nested& n : c.items) {
    const Tensor lp = n.logp(x);
    parts.push_back(lp.shape() == s ? lp : broadcast_to(lp, s));
  }
  return stack(parts, static_cast<std::int64_t>(s.size()));
}

Params resolve(const Bound& b) {
  Params p;
  p.set("w", b.get("w"));
  const NestedArg& c = b.nested("comp_dists");
  if (c.items.empty()) throw InputError(kName + ": comp_dists is an empty list");
  const Nested& first = c.items[0];
  for (std::size_t i = 0; i < c.items.size(); ++i) {
    const Nested& n = c.items[i];
    if (n.family->event_rank != 0)
      throw InputError(kName + ": component " + std::to_string(i) + " (" + n.family->name +
                       ") is multivariate; Stochos mixes univariate components");
    if (n.family->is_discrete(*n.params) != first.family->is_discrete(*first.params) ||
        transform_name(n) != transform_name(first))
      throw InputError(kName + ": components must have one support (" + first.family->name +
                       " and " + n.family->name + " do not)");
  }
  const std::string t = transform_name(first);
  if (!t.empty() && t != "log" && t != "logodds")
    throw InputError(kName + ": components with a " + t +
                     " transform (bounds of their own) are not supported");
  p.set_nested("comp_dists", c);
  p.place(b.graph(), b.floatx());
  value_shape(p);
  return p;
}

// Flat element j of a univariate NumericDist, its parameters broadcast as suffixes.
double draw_at(Rng& rng, const NumericDist& d, std::size_t j) {
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [n, v] : d.params) {
    names.push_back(n);
    values.push_back(v[j % v.size()]);
  }
  return d.family->draw(rng, ScalarParams{names, values});
}

void draw(Rng& rng, const NumericDist& d, const Shape&, std::span<double> out) {
  const std::vector<double>& w = numeric(d.params, "w");
  const NumericNested& comps = d.nested_arg("comp_dists");
  const auto k = comps.list ? comps.items.size() : static_cast<std::size_t>(d.shape_of("w").back());
  const std::size_t rows = w.size() / k;
  for (std::size_t i = 0; i < out.size(); ++i) {
    // Element i's weights: w's rows repeat over the value (suffix broadcasting).
    const double* wi = w.data() + (i % rows) * k;
    const double u = uniform01(rng);
    double acc = 0;
    std::size_t pick = k - 1;
    for (std::size_t c = 0; c < k; ++c) {
      acc += wi[c];
      if (u < acc) {
        pick = c;
        break;
      }
    }
    out[i] = comps.list ? draw_at(rng, comps.items[pick], i)
                        : draw_at(rng, comps.items[0], i * k + pick);
  }
}

}  // namespace

const Family& mixture_family() {
  static const Family f{
      .name = "Mixture",
      .positional = {"w", "comp_dists"},
      .keywords = {"w", "comp_dists"},
      .shape = value_shape,
      .resolve = resolve,
      .logp = [](const Tensor& x,
                 const Params& p) { return mixture_logp(p["w"], component_logps(x, p)); },
      .param_conditions =
          [](const Params& p) {
            std::vector<Condition> c = weight_conditions(p["w"]);
            for (Condition& n : nested_conditions(p)) c.push_back(std::move(n));
            return c;
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            const NestedArg& c = components(p);
            if (!c.list) return c.items[0].in_support(with_component_axis(x));
            Tensor ok = c.items[0].in_support(x);
            for (std::size_t i = 1; i < c.items.size(); ++i)
              ok = logical_and(ok, c.items[i].in_support(x));
            return ok;
          },
      .transform = [](const Params& p) -> std::unique_ptr<transforms::Transform> {
        const Nested& n = components(p).items[0];
        return n.family->transform ? n.family->transform(*n.params) : nullptr;
      },
      // sum_k w_k m_k of the components' support points (PyMC's moment).
      .support_point =
          [](const Params& p) {
            const NestedArg& c = components(p);
            Tensor m;
            if (c.list) {
              std::vector<Tensor> parts;
              Shape s;
              for (const Nested& n : c.items) s = *broadcast_shapes(s, n.shape());
              for (const Nested& n : c.items) {
                const Tensor sp = n.family->support_point(*n.params);
                parts.push_back(sp.shape() == s ? sp : broadcast_to(sp, s));
              }
              m = stack(parts, static_cast<std::int64_t>(s.size()));
            } else {
              m = c.items[0].family->support_point(*c.items[0].params);
            }
            const Tensor wm = p["w"] * m;
            return sum(wm, static_cast<std::int64_t>(wm.rank()) - 1);
          },
      .distribution_params = {"comp_dists"},
      .list_params = {"comp_dists"},
      .discrete_for =
          [](const Params& p) {
            const Nested& n = components(p).items[0];
            return n.family->is_discrete(*n.params);
          },
      .draw_value = draw,
  };
  return f;
}

Distribution Mixture(Arg w, const std::vector<Distribution>& comp_dists) {
  return Distribution(mixture_family(), {{"", std::move(w)}, {"", Arg(comp_dists)}});
}
Distribution Mixture(Arg w, const Distribution& comp_dists) {
  return Distribution(mixture_family(), {{"", std::move(w)}, {"", Arg(comp_dists)}});
}

}  // namespace stochos::distributions
