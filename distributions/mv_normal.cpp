// MvNormal(mu, cov | chol | tau): x of shape [K] or [N, K] (N vectors).
#include <cmath>
#include <vector>

#include "distributions/common.hpp"
#include "stochos/error.hpp"

namespace stochos::distributions {

using namespace graph;

namespace {

std::int64_t dimension(const Params& p) {
  return (p.has("chol") ? p["chol"] : p["tau_chol"]).shape().at(0);
}

// (x - mu) as columns: [K] stays a vector, [N, K] becomes [K, N].
Tensor columns(const Tensor& x, const Tensor& mu) {
  const Tensor d = x - mu;
  if (d.rank() > 2) throw InputError("MvNormal: values of rank above 2 are not supported yet");
  return d.rank() == 2 ? transpose(d) : d;
}

}  // namespace

const Family& mv_normal_family() {
  static const Family f{
      .name = "MvNormal",
      .positional = {"mu", "cov"},
      .keywords = {"mu", "cov", "chol", "tau"},
      .discrete = false,
      .event_rank = 1,
      .shape =
          [](const Params& p) {
            const auto s = broadcast_shapes(p["mu"].shape(), Shape{dimension(p)});
            if (!s) throw InputError("MvNormal: mu does not match the covariance's size");
            return *s;
          },
      .resolve =
          [](const Bound& b) {
            const int given = b.has("cov") + b.has("chol") + b.has("tau");
            if (given != 1) throw InputError("MvNormal: give exactly one of cov, chol or tau");
            Params p;
            p.set("mu", b.get("mu"));
            // The covariance's Cholesky factor, or the precision's for tau.
            if (b.has("tau"))
              p.set("tau_chol", cholesky(b.get("tau")));
            else
              p.set("chol", b.has("chol") ? tril(b.get("chol")) : cholesky(b.get("cov")));
            return p;
          },
      .logp =
          [](const Tensor& x, const Params& p) {
            const double k = static_cast<double>(dimension(p));
            const Tensor d = columns(x, p["mu"]);
            if (p.has("chol")) {
              const Tensor z = solve_triangular(p["chol"], d, /*lower=*/true);
              const Tensor quad = d.rank() == 2 ? sum(square(z), 0) : sum(square(z));
              return -0.5 * quad - sum(log(diag(p["chol"]))) - k * kHalfLog2Pi;
            }
            const Tensor w = matmul(p["tau_chol"], d, /*transpose_a=*/true);
            const Tensor quad = d.rank() == 2 ? sum(square(w), 0) : sum(square(w));
            return -0.5 * quad + sum(log(diag(p["tau_chol"]))) - k * kHalfLog2Pi;
          },
      .param_conditions =
          [](const Params& p) {
            const Tensor& l = p.has("chol") ? p["chol"] : p["tau_chol"];
            // A factorisation that failed is NaN; a factor with a zero on its diagonal is singular.
            return std::vector<Condition>{
                {"a positive definite covariance", finite(sum(log(abs(diag(l)))))}};
          },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .transform = nullptr,
      .support_point =
          [](const Params& p) {
            return p["mu"] + 0.0 * diag(p.has("chol") ? p["chol"] : p["tau_chol"]);
          },
      .draw = nullptr,
      .draw_event =
          [](Rng& rng, const NumericParams& v, std::span<double> out) {
            // mu + L z for the covariance's factor L; for the precision's factor L_tau,
            // mu + x with L_tau^T x = z (back substitution).
            const std::size_t k = out.size();
            const std::vector<double>& mu = numeric(v, "mu");
            std::vector<double> z(k);
            for (double& zi : z) zi = standard_normal(rng);
            const bool precision = v[1].first == "tau_chol";
            const std::vector<double>& l = v[1].second;
            std::vector<double> x(k, 0.0);
            if (!precision) {
              for (std::size_t i = 0; i < k; ++i)
                for (std::size_t j = 0; j <= i; ++j) x[i] += l[i * k + j] * z[j];
            } else {
              for (std::size_t i = k; i-- > 0;) {
                double s = z[i];
                for (std::size_t j = i + 1; j < k; ++j) s -= l[j * k + i] * x[j];
                x[i] = s / l[i * k + i];
              }
            }
            for (std::size_t i = 0; i < k; ++i) out[i] = (mu.size() == 1 ? mu[0] : mu[i]) + x[i];
          },
  };
  return f;
}

Distribution MvNormal(Arg mu, Arg cov) {
  return Distribution(mv_normal_family(), {{"", std::move(mu)}, {"", std::move(cov)}});
}

}  // namespace stochos::distributions
