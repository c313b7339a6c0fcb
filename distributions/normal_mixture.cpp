// NormalMixture(w, mu, sigma | tau): a mixture of normals whose components run along the last
// axis of w, mu and sigma; log p(x) = logsumexp_k(log w_k + log N(x | mu_k, sigma_k)), the same
// as Mixture(w, Normal(mu, sigma)) (distributions/mixture.cpp, whose helpers it shares).
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

// The broadcast shape of the parameters, without the component axis.
Shape value_shape(const Params& p) {
  Shape s = p["w"].shape();
  for (const char* n : {"mu", "sigma"}) {
    const auto b = broadcast_shapes(s, p[n].shape());
    if (!b) throw InputError("NormalMixture: w, mu and sigma do not broadcast");
    s = *b;
  }
  if (s.empty())
    throw InputError("NormalMixture: the components run along the last axis of w, mu and sigma");
  s.pop_back();
  return s;
}

// Element i: a component k by element i's row of w, then Normal(mu, sigma) at (i, k), each
// parameter broadcast as a suffix of [..., K].
void draw(Rng& rng, const NumericDist& d, const Shape&, std::span<double> out) {
  const std::vector<double>& w = numeric(d.params, "w");
  const std::vector<double>&mu = numeric(d.params, "mu"), &sigma = numeric(d.params, "sigma");
  const auto k = static_cast<std::size_t>(d.shape_of("w").back());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double* wi = w.data() + (i % (w.size() / k)) * k;
    const double u = uniform01(rng);
    double acc = 0;
    std::size_t pick = k - 1;
    for (std::size_t c = 0; c < k; ++c)
      if (u < (acc += wi[c])) {
        pick = c;
        break;
      }
    const std::size_t j = i * k + pick;
    out[i] = mu[j % mu.size()] + sigma[j % sigma.size()] * standard_normal(rng);
  }
}

}  // namespace

const Family& normal_mixture_family() {
  static const Family f{
      .name = "NormalMixture",
      .positional = {"w", "mu", "sigma"},
      .keywords = {"w", "mu", "sigma", "tau"},
      .shape = value_shape,
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("w", b.get("w"));
            p.set("mu", b.get("mu"));
            p.set("sigma", sigma_or_tau(b, "NormalMixture"));
            value_shape(p);
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            Shape s = x.shape();
            s.push_back(1);
            const Tensor xk = reshape(x, s);  // a component axis to broadcast against
            return mixture_logp(
                p["w"], -0.5 * square((xk - p["mu"]) / p["sigma"]) - log(p["sigma"]) - kHalfLog2Pi);
          },
      .param_conditions =
          [](const Params& p) {
            std::vector<Condition> c{{"sigma > 0", positive(p["sigma"])}};
            for (Condition& w : weight_conditions(p["w"])) c.push_back(std::move(w));
            return c;
          },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point =
          [](const Params& p) {
            const Tensor m = p["w"] * p["mu"] + 0.0 * p["sigma"];
            return sum(m, static_cast<std::int64_t>(m.rank()) - 1);
          },
      .draw_value = draw,
  };
  return f;
}

Distribution NormalMixture(Arg w, Arg mu, Arg sigma) {
  return Distribution(normal_mixture_family(),
                      {{"", std::move(w)}, {"", std::move(mu)}, {"", std::move(sigma)}});
}

}  // namespace stochos::distributions
