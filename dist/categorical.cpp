// Categorical(p | logit_p) and OrderedLogistic(eta, cutpoints): one of K categories, 0..K-1,
// observed only. Their parameters carry the categories on the last axis (as NormalMixture's
// components), so the value's shape is the parameters' without it, and the log density picks
// each value's category by comparing it with 0..K-1 along that axis.
#include <algorithm>
#include <cmath>
#include <limits>

#include "dist/common.hpp"

namespace stochos::dist {

using namespace graph;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::int64_t last_axis(const Tensor& t) {
  return static_cast<std::int64_t>(t.rank()) - 1;
}

// 0, 1, ..., k - 1 as a constant like x.
Tensor categories(const Tensor& x, std::int64_t k) {
  std::vector<double> v(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(i);
  return constant(x.graph(), {k}, std::move(v), x.dtype());
}

// The value's shape: the broadcast of the parameters' shapes without their category axis (eta
// has none).
Shape value_shape(const std::string& family, const std::vector<Shape>& with_axis,
                  const Shape& without = {}) {
  Shape s = without;
  for (Shape w : with_axis) {
    if (w.empty())
      throw InputError(family + ": the categories run along the last axis of its parameter, " +
                       "which needs at least one axis");
    w.pop_back();
    const auto b = broadcast_shapes(s, w);
    if (!b) throw InputError(family + ": its parameters' shapes do not broadcast");
    s = *b;
  }
  return s;
}

// For values x and per-category terms v (categories on the last axis): v at each x's category,
// `fill` at the others (where a caller's log can take them without a NaN in its gradient).
Tensor at_category(const Tensor& x, const Tensor& v, double fill) {
  const std::int64_t k = v.shape().back();
  Shape s = x.shape();
  s.push_back(1);
  return where(equal(reshape(x, s), categories(x, k)), v, scalar_like(v, fill));
}
Tensor sum_last(const Tensor& t) {
  return sum(t, last_axis(t));
}

Tensor in_categories(const Tensor& x, std::int64_t k) {
  return logical_and(is_whole(x), between(x, scalar_like(x, 0.0), scalar_like(x, k - 1.0)));
}

// The first category where v is largest (PyMC's mode), along the last axis.
Tensor first_argmax(const Tensor& v) {
  const std::int64_t ax = last_axis(v), k = v.shape().back();
  const Tensor top = greater_equal(v, max(v, ax, /*keepdims=*/true));
  return min(where(top, categories(v, k), scalar_like(v, static_cast<double>(k))), ax);
}

// The category whose cumulative probability first exceeds a uniform draw.
double draw_category(Rng& rng, const std::vector<double>& p) {
  const double u = uniform01(rng);
  double cumulative = 0;
  for (std::size_t k = 0; k + 1 < p.size(); ++k) {
    cumulative += p[k];
    if (u < cumulative) return static_cast<double>(k);
  }
  return static_cast<double>(p.size() - 1);
}

// log P(y = k) = log(sigmoid(a) - sigmoid(b)) with a = c_k - eta > b = c_(k-1) - eta (c_-1 =
// -inf, c_(K-1) = +inf), as log sigmoid(a) + log sigmoid(-b) + log(1 - e^(b - a)): no
// difference of probabilities near 1 loses its digits.
Tensor ordered_logps(const Tensor& eta, const Tensor& cutpoints) {
  Shape edge = cutpoints.shape();
  edge.back() = 1;
  const std::int64_t ax = last_axis(cutpoints);
  Graph& g = cutpoints.graph();
  const Tensor lo = concat({full(g, edge, -kInf, cutpoints.dtype()), cutpoints}, ax);
  const Tensor hi = concat({cutpoints, full(g, edge, kInf, cutpoints.dtype())}, ax);
  Shape s = eta.shape();
  s.push_back(1);
  const Tensor e = reshape(eta, s);
  const Tensor a = hi - e, b = lo - e;
  return log_sigmoid(a) + log_sigmoid(-b) + log1mexp(b - a);
}

}  // namespace

const Family& categorical_family() {
  static const Family f{
      .name = "Categorical",
      .positional = {"p", "logit_p"},
      .keywords = {"p", "logit_p"},
      .discrete = true,
      .shape =
          [](const Params& p) {
            return value_shape("Categorical", {p[p.has("p") ? "p" : "logit_p"].shape()});
          },
      .resolve =
          [](const Bound& b) {
            if (b.has("p") == b.has("logit_p"))
              throw InputError("Categorical: give exactly one of p or logit_p");
            Params p;
            const char* name = b.has("p") ? "p" : "logit_p";
            p.set(name, b.get(name));
            value_shape("Categorical", {b.get(name).shape()});
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            if (p.has("p")) return sum_last(log(at_category(x, p["p"], 1.0)));
            // log softmax(logit_p) at x.
            const Tensor& l = p["logit_p"];
            return sum_last(at_category(x, l, 0.0)) - logsumexp(l, last_axis(l));
          },
      .param_conditions =
          [](const Params& p) {
            if (!p.has("p")) return std::vector<Condition>{};
            const Tensor& q = p["p"];
            const Tensor total = sum(q, last_axis(q));
            return std::vector<Condition>{
                {"0 <= p <= 1", between(q, scalar_like(q, 0.0), scalar_like(q, 1.0))},
                {"p summing to 1", less(abs(total - 1.0), scalar_like(total, 1e-6))}};
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            return in_categories(x, p[p.has("p") ? "p" : "logit_p"].shape().back());
          },
      .support_point =
          [](const Params& p) { return first_argmax(p[p.has("p") ? "p" : "logit_p"]); },
      // One category from one vector of probabilities (or logits).
      .draw_event =
          [](Rng& rng, const NumericParams& v, std::span<double> out) {
            std::vector<double> q;
            for (const auto& [name, values] : v) {
              if (name == "p") q = values;
              if (name != "logit_p") continue;
              const double top = *std::max_element(values.begin(), values.end());
              double total = 0;
              for (double l : values) total += std::exp(l - top);
              for (double l : values) q.push_back(std::exp(l - top) / total);
            }
            out[0] = draw_category(rng, q);
          },
  };
  return f;
}

const Family& ordered_logistic_family() {
  static const Family f{
      .name = "OrderedLogistic",
      .positional = {"eta", "cutpoints"},
      .keywords = {"eta", "cutpoints"},
      .discrete = true,
      .shape =
          [](const Params& p) {
            return value_shape("OrderedLogistic", {p["cutpoints"].shape()}, p["eta"].shape());
          },
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("eta", b.get("eta"));
            p.set("cutpoints", b.get("cutpoints"));
            value_shape("OrderedLogistic", {p["cutpoints"].shape()}, p["eta"].shape());
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            return sum_last(at_category(x, ordered_logps(p["eta"], p["cutpoints"]), 0.0));
          },
      .param_conditions =
          [](const Params& p) {
            const Tensor& c = p["cutpoints"];
            const std::int64_t ax = last_axis(c);
            if (c.shape().back() < 2) return std::vector<Condition>{};
            return std::vector<Condition>{
                {"increasing cutpoints",
                 greater(slice(c, ax, 1, std::nullopt), slice(c, ax, std::nullopt, -1))}};
          },
      .in_support =
          [](const Tensor& x, const Params& p) {
            return in_categories(x, p["cutpoints"].shape().back() + 1);
          },
      .support_point =
          [](const Params& p) { return first_argmax(ordered_logps(p["eta"], p["cutpoints"])); },
      // P(y <= k) = sigmoid(c_k - eta).
      .draw_event =
          [](Rng& rng, const NumericParams& v, std::span<double> out) {
            const double eta = numeric(v, "eta").at(0);
            const std::vector<double>& c = numeric(v, "cutpoints");
            std::vector<double> q;
            double below = 0;
            for (double ck : c) {
              const double cdf = 1 / (1 + std::exp(eta - ck));
              q.push_back(cdf - below);
              below = cdf;
            }
            q.push_back(1 - below);
            out[0] = draw_category(rng, q);
          },
  };
  return f;
}

Distribution Categorical(Arg p) {
  return Distribution(categorical_family(), {{"", std::move(p)}});
}
Distribution OrderedLogistic(Arg eta, Arg cutpoints) {
  return Distribution(ordered_logistic_family(),
                      {{"", std::move(eta)}, {"", std::move(cutpoints)}});
}

}  // namespace stochos::dist
