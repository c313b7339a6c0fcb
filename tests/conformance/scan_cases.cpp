// scan (Note [scan] in graph/scan.hpp): the recurrences models write with it (GARCH, ARMA, a
// Kalman filter, an HMM forward pass in log space with a vector carry), each against a plain loop
// written here, its gradient (a reverse scan) against central differences; length 0 and 1,
// several carries with per-step outputs, a reversed scan, a sequence of integers, a scan inside
// a scan's body, and the second derivative through a scan (a scan of the reverse scan).
#include <cmath>

#include "autodiff/grad.hpp"
#include "case.hpp"
#include "graph/scan.hpp"

namespace stochos::conformance {

namespace {

using graph::ScanArgs;
using graph::ScanStep;

// Every tensor flattened and concatenated: one output per case.
Tensor flat(const std::vector<Tensor>& parts) {
  std::vector<Tensor> f;
  for (const Tensor& t : parts) f.push_back(graph::reshape(t, {t.size()}));
  return f.size() == 1 ? f[0] : graph::concat(f);
}

Input scalar(double lo, double hi) {
  return {.shape = {}, .lo = lo, .hi = hi};
}

// sigma2[t] = a0 + a1 (y[t-1] - mu)^2 + b1 sigma2[t-1] for t = 1..T-1, from sigma2[0] = s0.
// Inputs: y [T], a0, a1, b1, mu, s0.
Tensor garch(const std::vector<Tensor>& x) {
  const Tensor y_lag = graph::slice(x[0], 0, 0, -1);
  const std::vector<Tensor> init = {x[5]}, seqs = {y_lag}, consts = {x[1], x[2], x[3], x[4]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const Tensor& s = a.carries[0];
        const Tensor e = a.sequences[0] - a.constants[3];
        return ScanStep{{a.constants[0] + a.constants[1] * graph::square(e) + a.constants[2] * s},
                        {}};
      },
      init, seqs, consts);
  return r.carries[0];
}

Expected garch_ref(const std::vector<Values>& v) {
  const Values& y = v[0];
  const double a0 = v[1][0], a1 = v[2][0], b1 = v[3][0], mu = v[4][0];
  double s = v[5][0];
  Values out;
  for (std::size_t t = 1; t < y.size(); ++t) {
    const double e = y[t - 1] - mu;
    s = a0 + a1 * (e * e) + b1 * s;
    out.push_back(s);
  }
  return {out, {static_cast<std::int64_t>(out.size())}};
}

std::vector<Input> garch_inputs(std::int64_t t) {
  return {{.shape = {t}},   scalar(0.1, 0.5),  scalar(0.05, 0.3),
          scalar(0.3, 0.6), scalar(-0.5, 0.5), scalar(0.5, 1.5)};
}

// ARMA(1,1) errors: err[t] = y[t] - (mu + phi y[t-1] + theta err[t-1]), err[0] = y[0] - mu.
// Inputs: y [T], mu, phi, theta. The output is every err, err[0] included.
Tensor arma(const std::vector<Tensor>& x) {
  const Tensor& y = x[0];
  const Tensor err0 = graph::index(y, 0) - x[1];
  const std::vector<Tensor> init = {err0};
  const std::vector<Tensor> seqs = {graph::slice(y, 0, 1, std::nullopt), graph::slice(y, 0, 0, -1)};
  const std::vector<Tensor> consts = {x[1], x[2], x[3]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const Tensor& c = a.constants[0];
        const Tensor pred = c + a.constants[1] * a.sequences[1] + a.constants[2] * a.carries[0];
        return ScanStep{{a.sequences[0] - pred}, {}};
      },
      init, seqs, consts);
  return graph::concat({graph::reshape(err0, {1}), r.carries[0]});
}

Expected arma_ref(const std::vector<Values>& v) {
  const Values& y = v[0];
  const double mu = v[1][0], phi = v[2][0], theta = v[3][0];
  Values err = {y[0] - mu};
  for (std::size_t t = 1; t < y.size(); ++t)
    err.push_back(y[t] - (mu + phi * y[t - 1] + theta * err.back()));
  return {err, {static_cast<std::int64_t>(err.size())}};
}

// A local-level Kalman filter: carries the mean m and variance p; per step the log density of
// y[t]. Inputs: y [T], q, r, m0, p0. Output: stacked m, stacked p, stacked log densities.
Tensor kalman(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[3], x[4]}, seqs = {x[0]}, consts = {x[1], x[2]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const Tensor &m = a.carries[0], &p = a.carries[1], &y = a.sequences[0];
        const Tensor pp = p + a.constants[0];
        const Tensor s = pp + a.constants[1];
        const Tensor k = pp / s;
        const Tensor v = y - m;
        const Tensor lp = -0.5 * (graph::log(s) + graph::square(v) / s);
        return ScanStep{{m + k * v, (1.0 - k) * pp}, {lp}};
      },
      init, seqs, consts);
  return flat({r.carries[0], r.carries[1], r.outputs[0]});
}

Expected kalman_ref(const std::vector<Values>& v) {
  const Values& y = v[0];
  const double q = v[1][0], r = v[2][0];
  double m = v[3][0], p = v[4][0];
  Values ms, ps, lps;
  for (double yt : y) {
    const double pp = p + q, s = pp + r, k = pp / s, e = yt - m;
    lps.push_back(-0.5 * (std::log(s) + e * e / s));
    m = m + k * e;
    p = (1.0 - k) * pp;
    ms.push_back(m);
    ps.push_back(p);
  }
  Values out = ms;
  out.insert(out.end(), ps.begin(), ps.end());
  out.insert(out.end(), lps.begin(), lps.end());
  return {out, {static_cast<std::int64_t>(out.size())}};
}

// The HMM forward pass in log space: alpha[t] = logsumexp(alpha[t-1][:, None] + log_gamma,
// axis 0) + log_em[t]. Inputs: log_em [T, K], log_gamma [K, K], alpha0 [K]. Output: every alpha.
Tensor hmm(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[2]}, seqs = {x[0]}, consts = {x[1]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const Tensor& alpha = a.carries[0];
        const std::int64_t k = alpha.shape()[0];
        const Tensor col = graph::reshape(alpha, {k, 1});
        return ScanStep{{graph::logsumexp(col + a.constants[0], 0) + a.sequences[0]}, {}};
      },
      init, seqs, consts);
  return r.carries[0];
}

Expected hmm_ref(const std::vector<Values>& v) {
  const Values &em = v[0], &lg = v[1];
  const auto k = static_cast<std::int64_t>(v[2].size());
  const auto t_len = static_cast<std::int64_t>(em.size()) / k;
  Values alpha = v[2], out;
  for (std::int64_t t = 0; t < t_len; ++t) {
    Values next(static_cast<std::size_t>(k));
    for (std::int64_t j = 0; j < k; ++j) {
      double m = -INFINITY;
      for (std::int64_t i = 0; i < k; ++i)
        m = std::max(m, alpha[static_cast<std::size_t>(i)] + at(lg, k, i, j));
      double s = 0;
      for (std::int64_t i = 0; i < k; ++i)
        s += std::exp(alpha[static_cast<std::size_t>(i)] + at(lg, k, i, j) - m);
      next[static_cast<std::size_t>(j)] = m + std::log(s) + at(em, k, t, j);
    }
    alpha = next;
    out.insert(out.end(), alpha.begin(), alpha.end());
  }
  return {out, {t_len, k}};
}

// A reversed discounted sum: c[t] = x[t] + d c[t+1] from the end, c0 after the last element.
// Inputs: x [T], d, c0. Output: stacked c and the final carry (c[0]).
Tensor discounted(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[2]}, seqs = {x[0]}, consts = {x[1]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        return ScanStep{{a.sequences[0] + a.constants[0] * a.carries[0]}, {}};
      },
      init, seqs, consts, std::nullopt, /*reverse=*/true);
  return flat({r.carries[0], r.last[0]});
}

Expected discounted_ref(const std::vector<Values>& v) {
  const Values& x = v[0];
  const double d = v[1][0];
  double c = v[2][0];
  Values out(x.size());
  for (std::size_t t = x.size(); t-- > 0;) {
    c = x[t] + d * c;
    out[t] = c;
  }
  out.push_back(c);
  return {out, {static_cast<std::int64_t>(out.size())}};
}

// A switching recurrence driven by an int64 sequence (no cotangent): s[t] = w[k[t]] s[t-1] + x[t]
// with w = (0.5, -0.8) picked by where. Inputs: k [T] in {0, 1}, x [T], s0.
Tensor switching(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[2]}, seqs = {x[0], x[1]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const Tensor one = graph::constant(a.graph, 1.0, graph::DType::i64);
        const Tensor w =
            graph::where(graph::equal(a.sequences[0], one), graph::scalar_like(a.carries[0], -0.8),
                         graph::scalar_like(a.carries[0], 0.5));
        return ScanStep{{w * a.carries[0] + a.sequences[1]}, {}};
      },
      init, seqs, {});
  return r.carries[0];
}

Expected switching_ref(const std::vector<Values>& v) {
  double s = v[2][0];
  Values out;
  for (std::size_t t = 0; t < v[0].size(); ++t) {
    s = (v[0][t] == 1 ? -0.8 : 0.5) * s + v[1][t];
    out.push_back(s);
  }
  return {out, {static_cast<std::int64_t>(out.size())}};
}

// A map (no carry) with a matrix constant and a per-step matrix-vector product: out[t] = tanh(A
// x[t]) * c. Inputs: x [T, 3], A [2, 3], c. Output: [T, 2].
Tensor mapped(const std::vector<Tensor>& x) {
  const std::vector<Tensor> seqs = {x[0]}, consts = {x[1], x[2]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        return ScanStep{
            {}, {graph::tanh(graph::matmul(a.constants[0], a.sequences[0])) * a.constants[1]}};
      },
      {}, seqs, consts);
  return r.outputs[0];
}

Expected mapped_ref(const std::vector<Values>& v) {
  const Values &x = v[0], &a = v[1];
  const double c = v[2][0];
  const auto t_len = static_cast<std::int64_t>(x.size()) / 3;
  Values out;
  for (std::int64_t t = 0; t < t_len; ++t)
    for (std::int64_t i = 0; i < 2; ++i) {
      double s = 0;
      for (std::int64_t j = 0; j < 3; ++j) s += at(a, 3, i, j) * at(x, 3, t, j);
      out.push_back(std::tanh(s) * c);
    }
  return {out, {t_len, 2}};
}

// d/d(a, c0) of sum(c) for c[t] = a c[t-1] + x[t]: a first derivative through the reverse scan,
// whose own gradient check is a second derivative (a scan of the reverse scan). Inputs: x [T],
// a, c0. The reference carries the derivatives along the loop (forward mode).
Tensor ar_gradient(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[2]}, seqs = {x[0]}, consts = {x[1]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        return ScanStep{{a.constants[0] * a.carries[0] + a.sequences[0]}, {}};
      },
      init, seqs, consts);
  const Tensor f = graph::sum(graph::square(r.carries[0]));
  return flat(autodiff::grad(f, {x[1], x[2]}));
}

Expected ar_gradient_ref(const std::vector<Values>& v) {
  const double a = v[1][0];
  double c = v[2][0], dc_da = 0, dc_dc0 = 1, df_da = 0, df_dc0 = 0;
  for (double xt : v[0]) {
    dc_da = c + a * dc_da;
    dc_dc0 = a * dc_dc0;
    c = a * c + xt;
    df_da += 2 * c * dc_da;
    df_dc0 += 2 * c * dc_dc0;
  }
  return {{df_da, df_dc0}, {2}};
}

// A scan in a scan's body: per row of X [T, 3], an inner recurrence c = 0.5 c + x from the
// outer carry; the outer carry becomes the inner's last, and each step outputs the sum of the
// inner carries. Inputs: X [T, 3], s0. Output: stacked s, then stacked sums.
Tensor nested(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[1]}, seqs = {x[0]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        const std::vector<Tensor> in_init = {a.carries[0]}, in_seqs = {a.sequences[0]};
        const auto inner = graph::scan(
            [](const ScanArgs& b) {
              return ScanStep{{0.5 * b.carries[0] + b.sequences[0]}, {}};
            },
            in_init, in_seqs, {});
        return ScanStep{{inner.last[0]}, {graph::sum(inner.carries[0])}};
      },
      init, seqs, {});
  return flat({r.carries[0], r.outputs[0]});
}

Expected nested_ref(const std::vector<Values>& v) {
  const Values& x = v[0];
  double s = v[1][0];
  Values carries, sums;
  for (std::size_t t = 0; t < x.size() / 3; ++t) {
    double c = s, total = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      c = 0.5 * c + x[3 * t + i];
      total += c;
    }
    s = c;
    carries.push_back(s);
    sums.push_back(total);
  }
  carries.insert(carries.end(), sums.begin(), sums.end());
  return {carries, {static_cast<std::int64_t>(carries.size())}};
}

// The same with a vector carry and a matrix (c[t] = A c[t-1] + x[t], c in R^2): the body is not
// elementwise, so this is the general reverse scan's own second derivative. The gradient is
// d/d(A, c0) of sum(c^2). Inputs: x [T, 2], A [2, 2], c0 [2].
Tensor var_gradient(const std::vector<Tensor>& x) {
  const std::vector<Tensor> init = {x[2]}, seqs = {x[0]}, consts = {x[1]};
  const auto r = graph::scan(
      [](const ScanArgs& a) {
        return ScanStep{{graph::matmul(a.constants[0], a.carries[0]) + a.sequences[0]}, {}};
      },
      init, seqs, consts);
  return flat(autodiff::grad(graph::sum(graph::square(r.carries[0])), {x[1], x[2]}));
}

Expected var_gradient_ref(const std::vector<Values>& v) {
  const Values &x = v[0], &a = v[1];
  Values c = v[2];
  // Tangents of c along A's four entries, then c0's two.
  std::vector<Values> dc(6, Values(2, 0.0));
  dc[4][0] = 1;
  dc[5][1] = 1;
  Values df(6, 0.0);
  for (std::size_t t = 0; t < x.size() / 2; ++t) {
    Values next(2);
    std::vector<Values> dnext(6, Values(2, 0.0));
    for (std::size_t i = 0; i < 2; ++i) {
      next[i] = a[2 * i] * c[0] + a[2 * i + 1] * c[1] + x[2 * t + i];
      for (std::size_t p = 0; p < 6; ++p)
        dnext[p][i] = a[2 * i] * dc[p][0] + a[2 * i + 1] * dc[p][1];
    }
    for (std::size_t p = 0; p < 4; ++p) dnext[p][p / 2] += c[p % 2];  // d(A c)/dA_ij = e_i c_j
    c = next;
    dc = dnext;
    for (std::size_t p = 0; p < 6; ++p) df[p] += 2 * (c[0] * dc[p][0] + c[1] * dc[p][1]);
  }
  return {df, {6}};
}

constexpr auto make = &make_case;

}  // namespace

std::vector<Case> scan_cases() {
  std::vector<Case> v;
  v.push_back(make("scan_garch", {"scan", "slice", "square"}, garch_inputs(12), garch, garch_ref));
  v.back().f32_tolerance = 1e-5;
  v.push_back(make("scan_length1", {"scan"}, garch_inputs(2), garch, garch_ref));
  // y of one element: the scan runs over y[:-1], of length 0; its output is empty, and its last
  // carry (the initial one) is checked with it.
  v.push_back(make(
      "scan_length0", {"scan"}, garch_inputs(1),
      [](const std::vector<Tensor>& x) {
        const Tensor y_lag = graph::slice(x[0], 0, 0, -1);
        const std::vector<Tensor> init = {x[5]}, seqs = {y_lag}, consts = {x[1], x[2], x[3], x[4]};
        const auto r = graph::scan(
            [](const ScanArgs& a) {
              const Tensor e = a.sequences[0] - a.constants[3];
              return ScanStep{{a.constants[0] + a.constants[1] * graph::square(e) +
                               a.constants[2] * a.carries[0]},
                              {}};
            },
            init, seqs, consts);
        return flat({r.carries[0], r.last[0] * x[1]});
      },
      [](const std::vector<Values>& v) {
        return Expected{{v[5][0] * v[1][0]}, {1}};
      }));
  v.push_back(make("scan_arma", {"scan", "slice", "concat"},
                   {{.shape = {10}}, scalar(-1, 1), scalar(-0.8, 0.8), scalar(-0.8, 0.8)}, arma,
                   arma_ref));
  v.push_back(make("scan_kalman_two_carries", {"scan", "log", "div"},
                   {{.shape = {9}}, scalar(0.1, 1), scalar(0.1, 1), scalar(-1, 1), scalar(0.5, 2)},
                   kalman, kalman_ref));
  v.push_back(make("scan_hmm_vector_carry", {"scan", "logsumexp", "reshape"},
                   {{.shape = {7, 3}, .lo = -3, .hi = 0},
                    {.shape = {3, 3}, .lo = -3, .hi = 0},
                    {.shape = {3}, .lo = -2, .hi = 0}},
                   hmm, hmm_ref));
  v.push_back(make("scan_reverse", {"scan"}, {{.shape = {8}}, scalar(-0.9, 0.9), scalar(-1, 1)},
                   discounted, discounted_ref));
  v.push_back(make("scan_int_sequence", {"scan", "where"},
                   {{.shape = {9}, .dtype = DType::i64, .lo = 0, .hi = 1, .integers = true},
                    {.shape = {9}},
                    scalar(-1, 1)},
                   switching, switching_ref));
  v.push_back(make("scan_map_matrix", {"scan", "matmul", "tanh"},
                   {{.shape = {5, 3}}, {.shape = {2, 3}}, scalar(0.5, 1.5)}, mapped, mapped_ref));
  v.push_back(
      make("scan_nested", {"scan", "sum"}, {{.shape = {5, 3}}, scalar(-1, 1)}, nested, nested_ref));
  Case h = make("scan_second_order", {"scan"}, {{.shape = {6}}, scalar(-0.9, 0.9), scalar(-1, 1)},
                ar_gradient, ar_gradient_ref);
  h.second_order = true;
  h.tolerance = 1e-11;
  v.push_back(std::move(h));
  Case m = make("scan_second_order_matrix", {"scan", "matmul"},
                {{.shape = {5, 2}}, {.shape = {2, 2}, .lo = -0.7, .hi = 0.7}, {.shape = {2}}},
                var_gradient, var_gradient_ref);
  m.second_order = true;
  m.tolerance = 1e-11;
  v.push_back(std::move(m));
  return v;
}

}  // namespace stochos::conformance
