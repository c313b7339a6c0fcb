// Categorical(p | logit_p): one of K categories, 0..K-1, observed only. Its parameter carries the
// categories on the last axis (Note [category axis] in categories.hpp).
#include <algorithm>
#include <cmath>

#include "distributions/categories.hpp"
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

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

Distribution Categorical(Arg p) {
  return Distribution(categorical_family(), {{"", std::move(p)}});
}
}  // namespace stochos::distributions
