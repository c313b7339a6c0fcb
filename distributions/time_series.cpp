// Time series, PyMC's way: the time axis is the value's last, its first values come from an
// init_dist (a distribution argument, Normal(0, 100) by default as in PyMC) and the rest from
// Normal innovations.
//   GaussianRandomWalk(mu=0, sigma=1, init_dist, steps): x[t] - x[t-1] ~ Normal(mu, sigma);
//     mu and sigma broadcast with the increments (shape [..., steps]).
//   AR(rho, sigma | tau, constant=False, init_dist, ar_order, steps): the first ar_order values
//     from init_dist, then x[t] ~ Normal(c + sum_i rho[i] x[t-1-i], sigma); rho's last axis holds
//     the coefficients (after the constant c when constant=True); sigma is one per series.
// Without steps the length comes from the variable's shape= or its data: the family's shape
// has a time axis of 1 that broadcasts to either.
#include <cmath>

#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& normal_family();

namespace {

// The value of a parameter that must be an integer known when the model is built.
std::int64_t whole_constant(const Bound& b, const std::string& family, const std::string& name,
                            std::int64_t min) {
  const double v = build_time_constant(b, family, name);
  if (v != std::floor(v) || v < static_cast<double>(min) || v > 1e9)
    throw InputError(family + ": " + name + " must be a whole number from " + std::to_string(min) +
                     " to 1000000000");
  return static_cast<std::int64_t>(v);
}

Shape broadcast_or_throw(const std::string& family, const Shape& a, const Shape& b) {
  const auto s = broadcast_shapes(a, b);
  if (!s)
    throw InputError(family + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                     " do not broadcast");
  return *s;
}

Shape drop_last(Shape s) {
  if (!s.empty()) s.pop_back();
  return s;
}

// x[..., start:stop] on the last axis.
Tensor time_slice(const Tensor& x, std::optional<std::int64_t> start,
                  std::optional<std::int64_t> stop) {
  return slice(x, static_cast<std::int64_t>(x.rank()) - 1, start, stop);
}

Tensor with_time_axis(const Tensor& t) {
  Shape s = t.shape();
  s.push_back(1);
  return reshape(t, s);
}

// The init_dist argument, or PyMC's default Normal(0, 100); one univariate, continuous
// distribution on the real line (a free walk is not transformed).
void resolve_init(const Bound& b, Params& p, const std::string& family) {
  NestedArg init;
  if (b.has_nested("init_dist")) {
    init = b.nested("init_dist");
  } else {
    Params q;
    q.set("mu", constant(b.graph(), 0.0, b.floatx()));
    q.set("sigma", constant(b.graph(), 100.0, b.floatx()));
    q.place(b.graph(), b.floatx());
    init.items.push_back({&normal_family(), std::make_shared<const Params>(std::move(q))});
  }
  const Nested& n = init.items.at(0);
  if (n.family->event_rank != 0 || n.family->is_discrete(*n.params) || n.family->transform)
    throw InputError(family + ": init_dist must be a continuous distribution on the real line (" +
                     n.family->name + " is not)");
  p.set_nested("init_dist", std::move(init));
}

const Nested& init_of(const Params& p) {
  return p.nested("init_dist").items[0];
}

// The innovations' Normal log density, elementwise.
Tensor normal_logp(const Tensor& x, const Tensor& mu, const Tensor& sigma) {
  return -0.5 * square((x - mu) / sigma) - log(sigma) - kHalfLog2Pi;
}

std::vector<Condition> sigma_conditions(const Params& p) {
  std::vector<Condition> c{{"sigma > 0", positive(p["sigma"])}};
  for (Condition& n : nested_conditions(p)) c.push_back(std::move(n));
  return c;
}

// One element's value of a parameter broadcast (as a suffix) against the value.
double at(const NumericParams& p, std::string_view name, std::size_t i) {
  const std::vector<double>& v = numeric(p, name);
  return v[i % v.size()];
}

// ---- GaussianRandomWalk ----

Shape grw_shape(const Params& p) {
  const std::string f = "GaussianRandomWalk";
  const Shape innov = broadcast_or_throw(f, p["mu"].shape(), p["sigma"].shape());
  Shape s = broadcast_or_throw(f, init_of(p).shape(), drop_last(innov));
  const std::int64_t steps = constant_int(p["steps"]);
  if (steps > 0) {
    if (!innov.empty() && innov.back() != 1 && innov.back() != steps)
      throw InputError(f + ": mu and sigma of shape " + shape_str(innov) + " do not match " +
                       std::to_string(steps) + " steps");
    s.push_back(steps + 1);
  } else {
    s.push_back(innov.empty() || innov.back() == 1 ? 1 : innov.back() + 1);
  }
  return s;
}

Tensor grw_logp(const Tensor& x, const Params& p) {
  if (x.rank() == 0) throw InputError("GaussianRandomWalk: the value needs a time axis");
  const std::int64_t t = x.shape().back();
  const Tensor x0 = reshape(time_slice(x, 0, 1), drop_last(x.shape()));
  const Tensor init = init_of(p).logp(x0);
  if (t == 1) return init;
  const Tensor d = time_slice(x, 1, std::nullopt) - time_slice(x, std::nullopt, t - 1);
  const Tensor steps = normal_logp(d, p["mu"], p["sigma"]);
  return init + sum(steps, static_cast<std::int64_t>(steps.rank()) - 1);
}

void grw_draw(Rng& rng, const NumericDist& d, const Shape& shape, std::span<double> out) {
  const auto t = static_cast<std::size_t>(shape.back());
  const std::size_t series = out.size() / t;
  std::vector<double> x0(series);
  draw_elementwise(rng, d.nested_arg("init_dist").items.at(0), x0);
  for (std::size_t b = 0; b < series; ++b) {
    double x = x0[b];
    out[b * t] = x;
    for (std::size_t k = 1; k < t; ++k) {
      const std::size_t i = b * (t - 1) + (k - 1);  // the increment's element
      x += at(d.params, "mu", i) + at(d.params, "sigma", i) * standard_normal(rng);
      out[b * t + k] = x;
    }
  }
}

// ---- AR ----

std::int64_t ar_order(const Params& p) {
  return p["rho"].shape().back();
}

Shape ar_shape(const Params& p) {
  const std::string f = "AR";
  Shape s = broadcast_or_throw(f, drop_last(p["rho"].shape()), p["sigma"].shape());
  s = broadcast_or_throw(f, s, p["constant"].shape());
  const Shape init = init_of(p).shape();
  s = broadcast_or_throw(f, s, init.empty() ? init : drop_last(init));
  const std::int64_t steps = constant_int(p["steps"]);
  s.push_back(steps > 0 ? steps + ar_order(p) : 1);
  return s;
}

// A value long enough for the order: checked when data is observed (in_support) and when the
// density is built.
void check_length(const Tensor& x, const Params& p) {
  if (x.rank() == 0) throw InputError("AR: the value needs a time axis");
  const std::int64_t t = x.shape().back(), q = ar_order(p);
  if (t <= q)
    throw InputError("AR: a series of " + std::to_string(t) + " values is too short for order " +
                     std::to_string(q));
}

Tensor ar_logp(const Tensor& x, const Params& p) {
  check_length(x, p);
  const std::int64_t t = x.shape().back(), q = ar_order(p);
  // init_dist has the order on its last axis, or is scalar and broadcasts.
  const Tensor head = time_slice(x, 0, q);
  const Tensor init = sum(init_of(p).logp(head), static_cast<std::int64_t>(head.rank()) - 1);
  Tensor mean = with_time_axis(p["constant"]);
  for (std::int64_t i = 0; i < q; ++i) {
    const Tensor rho_i = time_slice(p["rho"], i, i + 1);  // [..., 1]
    mean = mean + rho_i * time_slice(x, q - 1 - i, t - 1 - i);
  }
  const Tensor innov =
      normal_logp(time_slice(x, q, std::nullopt), mean, with_time_axis(p["sigma"]));
  return init + sum(innov, static_cast<std::int64_t>(innov.rank()) - 1);
}

void ar_draw(Rng& rng, const NumericDist& d, const Shape& shape, std::span<double> out) {
  const auto t = static_cast<std::size_t>(shape.back());
  const auto q = static_cast<std::size_t>(numeric(d.params, "ar_order")[0]);
  const std::size_t series = out.size() / t;
  std::vector<double> head(series * q);
  draw_elementwise(rng, d.nested_arg("init_dist").items.at(0), head);
  for (std::size_t b = 0; b < series; ++b) {
    double* x = out.data() + b * t;
    for (std::size_t k = 0; k < q; ++k) x[k] = head[b * q + k];
    const double c = at(d.params, "constant", b), sigma = at(d.params, "sigma", b);
    for (std::size_t k = q; k < t; ++k) {
      double m = c;
      for (std::size_t i = 0; i < q; ++i) m += at(d.params, "rho", b * q + i) * x[k - 1 - i];
      x[k] = m + sigma * standard_normal(rng);
    }
  }
}

}  // namespace

const Family& gaussian_random_walk_family() {
  static const Family f{
      .name = "GaussianRandomWalk",
      .positional = {"mu", "sigma"},
      .keywords = {"mu", "sigma", "init_dist", "steps"},
      .event_rank = 1,
      .shape = grw_shape,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("mu", b.get("mu", 0.0));
            p.set("sigma", b.get("sigma", 1.0));
            const std::int64_t steps =
                b.has("steps") ? whole_constant(b, "GaussianRandomWalk", "steps", 1) : 0;
            p.set("steps", constant(b.graph(), static_cast<double>(steps), b.floatx()));
            resolve_init(b, p, "GaussianRandomWalk");
            p.place(b.graph(), b.floatx());
            grw_shape(p);
            return p;
          },
      .logp = grw_logp,
      .param_conditions = sigma_conditions,
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .transform = nullptr,
      // The initial point's support point, held for every step (PyMC adds mu * t).
      .support_point =
          [](const Params& p) {
            const Nested& init = init_of(p);
            return with_time_axis(init.family->support_point(*init.params));
          },
      .distribution_params = {"init_dist"},
      .draw_value = grw_draw,
  };
  return f;
}

const Family& ar_family() {
  static const Family f{
      .name = "AR",
      .positional = {"rho", "sigma", "tau"},
      .keywords = {"rho", "sigma", "tau", "constant", "init_dist", "ar_order", "steps"},
      .event_rank = 1,
      .shape = ar_shape,
      .resolve =
          [](const Bound& b) {
            Params p;
            Tensor rho = b.get("rho");
            if (rho.rank() == 0) rho = reshape(rho, Shape{1});
            if (b.has("constant") && whole_constant(b, "AR", "constant", 0) > 1)
              throw InputError("AR: constant is True or False (1 or 0)");
            const bool with_constant = b.has("constant") && whole_constant(b, "AR", "constant", 0);
            const std::int64_t n = rho.shape().back() - (with_constant ? 1 : 0);
            if (n < 1)
              throw InputError("AR: rho needs at least one coefficient" +
                               std::string(with_constant ? " after the constant" : ""));
            if (b.has("ar_order") && whole_constant(b, "AR", "ar_order", 1) != n)
              throw InputError(
                  "AR: ar_order=" + std::to_string(whole_constant(b, "AR", "ar_order", 1)) +
                  " but rho has " + std::to_string(n) + " coefficient" + (n == 1 ? "" : "s") +
                  (with_constant ? " after the constant" : ""));
            const auto last = static_cast<std::int64_t>(rho.rank()) - 1;
            p.set("rho", with_constant ? slice(rho, last, 1, std::nullopt) : rho);
            const Tensor c = with_constant ? reshape(slice(rho, last, 0, 1), drop_last(rho.shape()))
                                           : constant(b.graph(), 0.0, b.floatx());
            p.set("constant", c);
            p.set("sigma", sigma_or_tau(b, "AR"));
            const std::int64_t steps = b.has("steps") ? whole_constant(b, "AR", "steps", 1) : 0;
            p.set("steps", constant(b.graph(), static_cast<double>(steps), b.floatx()));
            p.set("ar_order", constant(b.graph(), static_cast<double>(n), b.floatx()));
            resolve_init(b, p, "AR");
            p.place(b.graph(), b.floatx());
            ar_shape(p);
            return p;
          },
      .logp = ar_logp,
      .param_conditions = sigma_conditions,
      .in_support =
          [](const Tensor& x, const Params& p) {
            check_length(x, p);
            return finite(x);
          },
      .transform = nullptr,
      .support_point = [](const Params& p) { return 0.0 * with_time_axis(p["sigma"]); },
      .distribution_params = {"init_dist"},
      .draw_value = ar_draw,
  };
  return f;
}

Distribution GaussianRandomWalk(Arg mu, Arg sigma, std::optional<Distribution> init_dist,
                                std::optional<std::int64_t> steps) {
  std::vector<NamedArg> args = {{"mu", std::move(mu)}, {"sigma", std::move(sigma)}};
  if (init_dist) args.push_back({"init_dist", Arg(*init_dist)});
  if (steps) args.push_back({"steps", Arg(static_cast<double>(*steps))});
  return Distribution(gaussian_random_walk_family(), std::move(args));
}

Distribution AR(Arg rho, Arg sigma, ArOptions o) {
  std::vector<NamedArg> args = {{"rho", std::move(rho)}, {"sigma", std::move(sigma)}};
  if (o.constant) args.push_back({"constant", Arg(1.0)});
  if (o.init_dist) args.push_back({"init_dist", Arg(*o.init_dist)});
  if (o.ar_order) args.push_back({"ar_order", Arg(static_cast<double>(*o.ar_order))});
  if (o.steps) args.push_back({"steps", Arg(static_cast<double>(*o.steps))});
  return Distribution(ar_family(), std::move(args));
}

}  // namespace stochos::distributions
