// The LKJ distributions over correlation matrices C of side n, density c_n(eta) det(C)^(eta - 1)
// (Lewandowski, Kurowicka and Joe 2009), in PyMC's forms:
//   LKJCorr(n, eta): C's strict upper triangle packed row by row, n(n-1)/2 values (PyMC 5's
//     default return_matrix=False), sampled through corr_packed (Stan's corr_matrix transform).
//   LKJCholeskyCov(eta, n, sd_dist): the Cholesky factor L = diag(sd) L_C of a covariance whose
//     correlations are LKJ(eta) and whose standard deviations sd are iid sd_dist, packed lower
//     triangle row by row, n(n+1)/2 values (PyMC's layout), sampled through cholesky-cov-packed.
// n is an integer >= 2 known when the model is built; eta > 0 may be a model expression. Values
// are single matrices (no batch axes).
//
// Note [LKJ normaliser]: with C written by its canonical partial correlations z[i][k], i > k
// (Note [canonical partial correlations]), det(C) = prod (1 - z^2) and the Jacobian of z -> C is
// prod (1 - z[i][k]^2)^((n - k - 2) / 2) (k from 0), so det(C)^(eta - 1) dC factorises into
// independent (1 - z^2)^(a_k - 1) dz with a_k = eta + (n - k - 2) / 2: each z[i][k] is
// 2 Beta(a_k, a_k) - 1 (the draws below), and since the integral of (1 - z^2)^(a - 1) over
// (-1, 1) is 2^(2a - 1) B(a, a),
//   log c_n(eta) = -sum_{k=0}^{n-2} (n - 1 - k) [(2 a_k - 1) log 2 + log B(a_k, a_k)].
// (LKJ 2009, eq. 16; n = 2 gives r ~ 2 Beta(eta, eta) - 1, and eta = 1, n = 3 the volume pi^2 / 2
// of the 3 x 3 correlation matrices.)
#include <cmath>

#include "distributions/common.hpp"
#include "transforms/triangular.hpp"

namespace stochos::distributions {

using namespace graph;
using transforms::Triangle;

namespace {

std::int64_t side_of(const Params& p) {
  return constant_int(p["n"]);
}

// n: an integer >= 2 known now (the value's size follows from it).
Tensor side_constant(const Bound& b, const std::string& family) {
  const double v = build_time_constant(b, family, "n");
  if (v != std::floor(v) || v < 2 || v > 1000)
    throw InputError(family + ": n must be a whole number from 2 to 1000 (the matrix's side)");
  return b.get("n");
}

Tensor scalar_eta(const Bound& b, const std::string& family) {
  const Tensor eta = b.get("eta");
  if (eta.rank() != 0)
    throw InputError(family + ": eta must be a scalar (batches of matrices are not supported yet)");
  return eta;
}

void require_vector(const Tensor& x, const std::string& family) {
  if (x.rank() != 1)
    throw InputError(family + ": the value must be one packed matrix, a vector, not shape " +
                     shape_str(x.shape()) + " (batches of matrices are not supported yet)");
}

// Note [LKJ normaliser].
Tensor log_normaliser(const Tensor& eta, std::int64_t n) {
  std::vector<double> offset, count;
  for (std::int64_t k = 0; k + 1 < n; ++k) {
    offset.push_back(static_cast<double>(n - k - 2) / 2);
    count.push_back(static_cast<double>(n - 1 - k));
  }
  const auto m = static_cast<std::int64_t>(offset.size());
  Graph& g = eta.graph();
  const Tensor a = eta + constant(g, {m}, std::move(offset), eta.dtype());
  const Tensor per = (2.0 * a - 1.0) * kLog2 + betaln(a, a);
  return -sum(constant(g, {m}, std::move(count), eta.dtype()) * per);
}

// log det(C) of the correlation matrix C from its packed strict upper triangle: twice the log
// diagonal of its Cholesky factor (NaN where C is not positive definite).
Tensor log_det_corr(const Tensor& x, std::int64_t n) {
  return 2.0 * sum(log(diag(cholesky(transforms::unpack(x, n, Triangle::strict_upper, 1.0)))));
}

// A correlation Cholesky factor (row-major n x n) drawn from LKJ(eta): partial correlations
// 2 Beta(a_k, a_k) - 1 (Note [LKJ normaliser]) mapped as in Note [canonical partial
// correlations].
std::vector<double> draw_corr_cholesky(Rng& rng, std::size_t n, double eta) {
  std::vector<double> l(n * n, 0.0);
  l[0] = 1;
  for (std::size_t i = 1; i < n; ++i) {
    double rest = 1;  // 1 - sum_{m<k} L[i][m]^2
    for (std::size_t k = 0; k < i; ++k) {
      const double a = eta + (static_cast<double>(n) - static_cast<double>(k) - 2) / 2;
      const double g1 = standard_gamma(rng, a), g2 = standard_gamma(rng, a);
      const double z = (g1 - g2) / (g1 + g2);  // 2 Beta(a, a) - 1
      l[i * n + k] = z * std::sqrt(rest);
      rest *= (1 - z) * (1 + z);
    }
    l[i * n + i] = std::sqrt(rest);
  }
  return l;
}

// ---- LKJCorr ----

Tensor corr_logp(const Tensor& x, const Params& p) {
  require_vector(x, "LKJCorr");
  const std::int64_t n = side_of(p);
  return log_normaliser(p["eta"], n) + (p["eta"] - 1.0) * log_det_corr(x, n);
}

void corr_draw(Rng& rng, const NumericParams& v, std::span<double> out) {
  const auto n = static_cast<std::size_t>(numeric(v, "n").at(0));
  const std::vector<double> l = draw_corr_cholesky(rng, n, numeric(v, "eta").at(0));
  std::size_t next = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      double c = 0;
      for (std::size_t k = 0; k <= i; ++k) c += l[i * n + k] * l[j * n + k];
      out[next++] = c;
    }
}

// ---- LKJCholeskyCov ----

const Nested& sd_dist_of(const Params& p) {
  return p.nested("sd_dist").items.at(0);
}

// PyMC's density: with sd[i] the length of row i of L and L_C = diag(1/sd) L, the LKJ density of
// L_C (Stan's lkj_corr_cholesky: sum_i (n - i - 1 + 2 (eta - 1)) log L_C[i][i] plus the
// normaliser), sd_dist's at sd, and log|d(sd, L_C) / dL| = sum_i (log L_C[i][i] - i log sd[i]):
// row i is sd[i] times a point (L_C's row) of the upper half of the unit sphere in i + 1
// dimensions.
Tensor cov_logp(const Tensor& x, const Params& p) {
  require_vector(x, "LKJCholeskyCov");
  const std::int64_t n = side_of(p);
  const Tensor l = transforms::unpack(x, n, Triangle::lower);
  const Tensor log_sd = 0.5 * log(sum(square(l), 1));
  const Tensor log_corr_diag = log(diag(l)) - log_sd;
  std::vector<double> idx;
  for (std::int64_t i = 0; i < n; ++i) idx.push_back(static_cast<double>(i));
  const Tensor i = constant(x.graph(), {n}, std::move(idx), x.dtype());
  const Tensor& eta = p["eta"];
  const Tensor lkj = sum((2.0 * eta - 3.0 + static_cast<double>(n) - i) * log_corr_diag);
  const Tensor jacobian = sum(log_corr_diag - i * log_sd);
  const Tensor sd_logp = sum(sd_dist_of(p).logp(exp(log_sd)));
  return log_normaliser(eta, n) + lkj + sd_logp + jacobian;
}

void cov_draw(Rng& rng, const NumericDist& d, const Shape& shape, std::span<double> out) {
  const auto n = static_cast<std::size_t>(numeric(d.params, "n").at(0));
  const double eta = numeric(d.params, "eta").at(0);
  const std::size_t m = n * (n + 1) / 2;
  if (shape.empty() || static_cast<std::size_t>(shape.back()) != m)
    throw InputError("LKJCholeskyCov: a value of shape " + shape_str(shape) + " holds no " +
                     std::to_string(m) + "-value packed factor");
  std::vector<double> sd(n);
  for (std::size_t e = 0; e < out.size() / m; ++e) {
    draw_elementwise(rng, d.nested_arg("sd_dist").items.at(0), sd);
    const std::vector<double> l = draw_corr_cholesky(rng, n, eta);
    std::size_t next = e * m;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j <= i; ++j) out[next++] = sd[i] * l[i * n + j];
  }
}

// sd_dist: one univariate continuous distribution of positive values (a default transform
// other than none: log for Exponential, HalfNormal, Gamma...), a scalar or one per row.
void check_sd_dist(const NestedArg& sd, std::int64_t n) {
  const Nested& d = sd.items.at(0);
  const std::string& name = d.family->name;
  if (d.family->event_rank != 0 || d.family->is_discrete(*d.params) || !d.family->transform)
    throw InputError(
        "LKJCholeskyCov: sd_dist must be a continuous distribution of positive "
        "values, such as Exponential(1) or HalfNormal(1) (" +
        name + " is not)");
  const Shape s = d.shape();
  const auto b = broadcast_shapes(s, Shape{n});
  if (!b || *b != Shape{n})
    throw InputError("LKJCholeskyCov: sd_dist of shape " + shape_str(s) +
                     " gives neither one standard deviation nor n = " + std::to_string(n));
}

std::vector<Condition> eta_condition(const Params& p) {
  std::vector<Condition> c{{"eta > 0", positive(p["eta"])}};
  for (Condition& n : nested_conditions(p)) c.push_back(std::move(n));
  return c;
}

Tensor zeros(const Params& p, std::int64_t size) {
  return full(p.graph(), {size}, 0.0, p.floatx());
}

}  // namespace

const Family& lkj_corr_family() {
  static const Family f{
      .name = "LKJCorr",
      .positional = {"n", "eta"},
      .keywords = {"n", "eta"},
      .event_rank = 1,
      .shape =
          [](const Params& p) {
            const std::int64_t n = side_of(p);
            return Shape{n * (n - 1) / 2};
          },
      .resolve =
          [](const Bound& b) {
            Params p;
            p.set("n", side_constant(b, "LKJCorr"));
            p.set("eta", scalar_eta(b, "LKJCorr"));
            return p;
          },
      .logp = corr_logp,
      .param_conditions = eta_condition,
      // Correlations of a positive definite matrix with unit diagonal.
      .in_support =
          [](const Tensor& x, const Params& p) {
            require_vector(x, "LKJCorr");
            const Tensor pd = finite(log_det_corr(x, side_of(p)));
            return logical_and(between(x, scalar_like(x, -1.0), scalar_like(x, 1.0)), pd);
          },
      .transform = [](const Params&) { return transforms::corr_packed_transform(); },
      .support_point =
          [](const Params& p) {
            const std::int64_t n = side_of(p);
            return zeros(p, n * (n - 1) / 2);  // the identity
          },
      .draw_event = corr_draw,
  };
  return f;
}

const Family& lkj_cholesky_cov_family() {
  static const Family f{
      .name = "LKJCholeskyCov",
      .positional = {"eta", "n", "sd_dist"},
      .keywords = {"eta", "n", "sd_dist"},
      .event_rank = 1,
      .shape =
          [](const Params& p) {
            const std::int64_t n = side_of(p);
            return Shape{n * (n + 1) / 2};
          },
      .resolve =
          [](const Bound& b) {
            Params p;
            const Tensor n = side_constant(b, "LKJCholeskyCov");
            p.set("n", n);
            p.set("eta", scalar_eta(b, "LKJCholeskyCov"));
            if (!b.has_nested("sd_dist"))
              throw InputError(
                  "LKJCholeskyCov: missing parameter 'sd_dist' (the standard deviations' "
                  "distribution, e.g. sd_dist=Exponential(1))");
            const NestedArg& sd = b.nested("sd_dist");
            check_sd_dist(sd, constant_int(n));
            p.set_nested("sd_dist", sd);
            return p;
          },
      .logp = cov_logp,
      .param_conditions = eta_condition,
      // A finite lower triangle whose diagonal is positive.
      .in_support =
          [](const Tensor& x, const Params& p) {
            require_vector(x, "LKJCholeskyCov");
            const std::int64_t n = side_of(p);
            const Tensor d = transforms::unpack(x, n, Triangle::lower, 1.0);
            const Tensor diag_ok = greater(diag(d), scalar_like(x, 0.0));
            return logical_and(finite(x),
                               greater(min(cast(diag_ok, x.dtype())), scalar_like(x, 0.5)));
          },
      .transform = [](const Params&) { return transforms::cholesky_cov_packed_transform(); },
      // PyMC's: the identity.
      .support_point =
          [](const Params& p) {
            const std::int64_t n = side_of(p);
            std::vector<double> v;
            for (std::int64_t i = 0; i < n; ++i)
              for (std::int64_t j = 0; j <= i; ++j) v.push_back(i == j ? 1.0 : 0.0);
            return constant(p.graph(), {n * (n + 1) / 2}, std::move(v), p.floatx());
          },
      .distribution_params = {"sd_dist"},
      .draw_value = cov_draw,
  };
  return f;
}

Distribution LKJCorr(Arg n, Arg eta) {
  return Distribution(lkj_corr_family(), {{"n", std::move(n)}, {"eta", std::move(eta)}});
}

Distribution LKJCholeskyCov(Arg eta, Arg n, const Distribution& sd_dist) {
  return Distribution(lkj_cholesky_cov_family(),
                      {{"eta", std::move(eta)}, {"n", std::move(n)}, {"sd_dist", Arg(sd_dist)}});
}

}  // namespace stochos::distributions
