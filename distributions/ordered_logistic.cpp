// OrderedLogistic(eta, cutpoints): one of K categories, 0..K-1, observed only; the K - 1
// cutpoints run along the last axis (Note [category axis] in categories.hpp).
#include <cmath>
#include <limits>

#include "distributions/categories.hpp"
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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

Distribution OrderedLogistic(Arg eta, Arg cutpoints) {
  return Distribution(ordered_logistic_family(),
                      {{"", std::move(eta)}, {"", std::move(cutpoints)}});
}

}  // namespace stochos::distributions
