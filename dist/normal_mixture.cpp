// NormalMixture(w, mu, sigma | tau): a mixture of normals whose components run along the last
// axis of w, mu and sigma; log p(x) = logsumexp_k(log w_k + log N(x | mu_k, sigma_k)), the same
// as Mixture(w, Normal(mu, sigma)) (dist/mixture.cpp, whose helpers it shares).
#include "dist/common.hpp"

namespace stochos::dist {

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
  };
  return f;
}

Distribution NormalMixture(Arg w, Arg mu, Arg sigma) {
  return Distribution(normal_mixture_family(),
                      {{"", std::move(w)}, {"", std::move(mu)}, {"", std::move(sigma)}});
}

}  // namespace stochos::dist
