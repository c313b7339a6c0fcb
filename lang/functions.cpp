#include "lang/functions.hpp"

#include <cmath>
#include <numbers>

#include "model/model.hpp"
#include "stochos/error.hpp"
#include "transforms/triangular.hpp"

namespace stochos::lang {

namespace {

using graph::Graph;
using graph::Shape;
using graph::Tensor;
using Ints = std::vector<std::int64_t>;
using Tensors = std::vector<Tensor>;

// Arrays a function makes from integers alone (eye, zeros, arange) stay well inside memory.
constexpr std::int64_t kMaxMadeElements = std::int64_t{1} << 40;
constexpr std::int64_t kMaxArangeElements = std::int64_t{1} << 24;  // a constant, held in memory

Tensor to_float(const Tensor& t, graph::DType floatx) {
  return t.dtype() == graph::DType::f64 || t.dtype() == graph::DType::f32 ? t
                                                                          : graph::cast(t, floatx);
}

[[noreturn]] void fail(const std::string& fn, const std::string& why) {
  throw InputError(fn + "(): " + why);
}

Function unary(Tensor (*f)(const Tensor&)) {
  return {1, 1, 1, false, [f](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
            return f(to_float(a[0], fx));
          }};
}

Function binary(Tensor (*f)(const Tensor&, const Tensor&)) {
  return {2, 2, 2, false,
          [f](Graph&, const Tensors& a, const Ints&, graph::DType) { return f(a[0], a[1]); }};
}

// sum(x) over every axis, or sum(x, axis).
Function reduction(Tensor (*all)(const Tensor&),
                   Tensor (*axis)(const Tensor&, std::int64_t, bool)) {
  return {1, 2, 1, false, [all, axis](Graph&, const Tensors& a, const Ints& k, graph::DType fx) {
            const Tensor x = to_float(a[0], fx);
            return k.empty() ? all(x) : axis(x, k[0], false);
          }};
}

Shape checked_shape(const std::string& fn, const Ints& dims) {
  std::int64_t total = 1;
  for (std::int64_t d : dims) {
    if (d < 0) fail(fn, "a dimension must not be negative, got " + std::to_string(d));
    if (__builtin_mul_overflow(total, d, &total) || total > kMaxMadeElements)
      fail(fn, "shape " + graph::shape_str(dims) + " is too large");
  }
  model::check_fits_in_memory(fn + "()", dims, graph::DType::f64);
  return dims;
}

Shape broadcast_of(const std::string& fn, const Tensor& a, const Tensor& b) {
  const auto s = graph::broadcast_shapes(a.shape(), b.shape());
  if (!s)
    fail(fn, "shapes " + graph::shape_str(a.shape()) + " and " + graph::shape_str(b.shape()) +
                 " do not broadcast");
  return *s;
}

// softmax and log_softmax along one axis (the last by default), shifted by the maximum so that
// the largest term is exactly exp(0): softmax([1000, 1000]) is [0.5, 0.5] to the last bit.
Tensor shifted(const std::string& fn, const Tensor& x, const Ints& k) {
  if (x.rank() == 0) fail(fn, "needs a vector or an array, not a scalar");
  const std::int64_t axis = k.empty() ? -1 : k[0];
  if (!graph::normalize_axis(axis, x.rank()))
    fail(fn, "axis " + std::to_string(axis) + " is out of range for shape " +
                 graph::shape_str(x.shape()));
  return x - graph::max(x, axis, true);
}
Tensor log_softmax(const Tensor& x, const Ints& k) {
  const Tensor s = shifted("log_softmax", x, k);
  return s - graph::log(graph::sum(graph::exp(s), k.empty() ? -1 : k[0], true));
}
Tensor softmax(const Tensor& x, const Ints& k) {
  const Tensor e = graph::exp(shifted("softmax", x, k));
  return e / graph::sum(e, k.empty() ? -1 : k[0], true);
}

// log(exp(a) + exp(b)), as a logsumexp over the two, whose gradient splits a tie evenly.
Tensor logaddexp(const Tensor& a, const Tensor& b) {
  const Shape s = broadcast_of("logaddexp", a, b);
  return graph::logsumexp(graph::stack({graph::broadcast_to(a, s), graph::broadcast_to(b, s)}), 0);
}

// log(1 - exp(x)) for x <= 0 (Mächler's log1mexp): log(-expm1(x)) near 0, log1p(-exp(x)) below
// -log 2. Each branch sees a harmless stand-in where it is not taken, so that its gradient there
// is finite (where() multiplies the untaken one by 0).
Tensor log1mexp(const Tensor& x) {
  const Tensor near = graph::greater(x, graph::scalar_like(x, -std::numbers::ln2));
  const Tensor stand_in = graph::scalar_like(x, -1.0);
  const Tensor xn = graph::where(near, x, stand_in), xf = graph::where(near, stand_in, x);
  return graph::where(near, graph::log(-graph::expm1(xn)), graph::log1p(-graph::exp(xf)));
}

// Stan's gp_exp_quad_cov(x, alpha, rho): alpha^2 exp(-|x_i - x_j|^2 / (2 rho^2)) for the points
// of x (a vector of N reals, or an [N, D] matrix of N points in D dimensions).
Tensor gp_exp_quad_cov(const Tensor& x, const Tensor& alpha, const Tensor& rho) {
  const std::string fn = "gp_exp_quad_cov";
  if (x.rank() != 1 && x.rank() != 2)
    fail(fn,
         "x must be a vector or an [N, D] matrix of points, got " + graph::shape_str(x.shape()));
  if (alpha.rank() != 0) fail(fn, "alpha must be a scalar, got " + graph::shape_str(alpha.shape()));
  if (rho.rank() != 0) fail(fn, "rho must be a scalar, got " + graph::shape_str(rho.shape()));
  const std::int64_t n = x.shape()[0], d = x.rank() == 2 ? x.shape()[1] : 1;
  const Tensor xi = graph::reshape(x, {n, 1, d}), xj = graph::reshape(x, {1, n, d});
  const Tensor d2 = graph::sum(graph::square(xi - xj), 2);
  return graph::square(alpha) * graph::exp(-0.5 * d2 / graph::square(rho));
}

// Stan's hmm_marginal(log_omega, Gamma, rho): the log density of the observations of a hidden
// Markov model with K states over N steps, summed over every path of states. log_omega[k, t] is
// log p(y_t | state k), Gamma[j, k] = p(state k at t + 1 | state j at t), rho the initial
// probabilities. The forward algorithm alpha_t = (alpha_{t-1} Gamma) * omega_t is a product of
// the N - 1 matrices M_t[j, k] = log Gamma[j, k] + log_omega[k, t] in the (logsumexp, +)
// semiring; that product is associative, so it is taken pairwise in a tree of log2(N) levels of
// batched [., K, K] ops instead of a chain of N, exact and without underflow.
Tensor hmm_marginal(const Tensor& log_omega, const Tensor& gamma, const Tensor& rho) {
  const std::string fn = "hmm_marginal";
  if (log_omega.rank() != 2 || log_omega.shape()[1] < 1)
    fail(fn, "log_omega must be a [K, N] matrix (K states, N >= 1 steps), got " +
                 graph::shape_str(log_omega.shape()));
  const std::int64_t k = log_omega.shape()[0], n = log_omega.shape()[1];
  if (gamma.shape() != Shape{k, k})
    fail(fn, "Gamma must be [" + std::to_string(k) + ", " + std::to_string(k) + "] for " +
                 std::to_string(k) + " states, got " + graph::shape_str(gamma.shape()));
  if (rho.shape() != Shape{k})
    fail(fn, "rho must be [" + std::to_string(k) + "] for " + std::to_string(k) + " states, got " +
                 graph::shape_str(rho.shape()));
  const Tensor first = graph::log(rho) + graph::reshape(graph::slice(log_omega, 1, 0, 1), {k});
  if (n == 1) return graph::logsumexp(first);
  // m[t - 1, j, kk] = log Gamma[j, kk] + log_omega[kk, t] for t = 1 .. n - 1.
  Tensor m = graph::reshape(graph::log(gamma), {1, k, k}) +
             graph::reshape(graph::transpose(graph::slice(log_omega, 1, 1, n)), {n - 1, 1, k});
  for (std::int64_t count = n - 1; count > 1;) {
    const std::int64_t half = count / 2;
    const Tensor a = graph::reshape(graph::slice(m, 0, 0, 2 * half, 2), {half, k, k, 1});
    const Tensor b = graph::reshape(graph::slice(m, 0, 1, 2 * half, 2), {half, 1, k, k});
    Tensor product = graph::logsumexp(a + b, 2);  // [half, k, k]
    if (count % 2 == 1) product = graph::concat({product, graph::slice(m, 0, count - 1, count)}, 0);
    m = product;
    count = half + count % 2;
  }
  return graph::logsumexp(graph::reshape(first, {k, 1}) + graph::reshape(m, {k, k}));
}

Tensor reshaped(const Tensor& x, const Ints& dims) {
  Shape s = dims;
  std::int64_t known = 1;
  std::size_t infer = s.size();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1 && infer == s.size()) {
      infer = i;
      continue;
    }
    if (s[i] < 0)
      fail("reshape", "a dimension must be a size or one -1, got " + graph::shape_str(s));
    if (__builtin_mul_overflow(known, s[i], &known)) fail("reshape", "shape is too large");
  }
  if (infer < s.size()) {
    if (known == 0 || x.size() % known != 0)
      fail("reshape",
           "cannot reshape " + graph::shape_str(x.shape()) + " to " + graph::shape_str(dims));
    s[infer] = x.size() / known;
  } else if (known != x.size()) {
    fail("reshape",
         "cannot reshape " + graph::shape_str(x.shape()) + " to " + graph::shape_str(dims));
  }
  return graph::reshape(x, s);
}

// Python's range(stop), range(start, stop), range(start, stop, step), as int64.
Tensor arange(Graph& g, const Ints& k) {
  const std::int64_t start = k.size() > 1 ? k[0] : 0, stop = k.size() > 1 ? k[1] : k[0];
  const std::int64_t step = k.size() > 2 ? k[2] : 1;
  if (step == 0) fail("arange", "step must not be zero");
  std::vector<double> values;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<std::int64_t>(values.size()) >= kMaxArangeElements)
      fail("arange", "over " + std::to_string(kMaxArangeElements) + " elements");
    values.push_back(static_cast<double>(i));
  }
  const auto n = static_cast<std::int64_t>(values.size());
  return graph::constant(g, {n}, std::move(values), graph::DType::i64);
}

Tensor triu(const Tensor& a, std::int64_t k) {
  if (a.rank() != 2) fail("triu", "needs a matrix, got " + graph::shape_str(a.shape()));
  return graph::transpose(graph::tril(graph::transpose(a), -k));
}

// PyMC's expand_packed_triangular(n, packed): the n x n lower-triangular matrix whose lower
// triangle (with its diagonal) is `packed` row by row, LKJCholeskyCov's layout. n may be left out
// (it follows from the length, n(n+1)/2); given, it must agree.
Tensor expand_packed_triangular(const Tensors& a, graph::DType fx) {
  const std::string fn = "expand_packed_triangular";
  const Tensor& packed = a.back();
  if (packed.rank() != 1)
    fail(fn, "the packed triangle must be a vector, got " + graph::shape_str(packed.shape()));
  const std::int64_t n =
      transforms::triangle_side(packed.shape()[0], transforms::Triangle::lower, fn + "()");
  if (a.size() == 2) {
    const Tensor& side = a[0];
    if (!side.is_constant() || side.size() != 1 ||
        (*side.node().attrs.data)[0] != static_cast<double>(n))
      fail(fn, "n must be the integer " + std::to_string(n) + " that " +
                   std::to_string(packed.shape()[0]) + " packed values make");
  }
  return transforms::unpack(to_float(packed, fx), n, transforms::Triangle::lower);
}

Function make_array(double value) {
  return {1, 8, 0, false, [value](Graph& g, const Tensors&, const Ints& k, graph::DType fx) {
            return graph::full(g, checked_shape(value == 0 ? "zeros" : "ones", k), value, fx);
          }};
}

}  // namespace

const std::map<std::string, Function>& functions() {
  static const std::map<std::string, Function> table = {
      {"exp", unary(graph::exp)},
      {"log", unary(graph::log)},
      {"log1p", unary(graph::log1p)},
      {"expm1", unary(graph::expm1)},
      {"sqrt", unary(graph::sqrt)},
      {"square", unary(graph::square)},
      {"abs", unary(graph::abs)},
      {"sigmoid", unary(graph::sigmoid)},
      {"inv_logit", unary(graph::sigmoid)},
      {"logit", unary(graph::logit)},
      {"softplus", unary(graph::softplus)},
      {"log_sigmoid", unary(graph::log_sigmoid)},
      {"log_inv_logit", unary(graph::log_sigmoid)},
      {"log1m", unary([](const Tensor& x) { return graph::log1p(-x); })},
      {"log1mexp", unary(log1mexp)},
      {"log1m_exp", unary(log1mexp)},
      {"tanh", unary(graph::tanh)},
      {"sin", unary(graph::sin)},
      {"cos", unary(graph::cos)},
      {"lgamma", unary(graph::lgamma)},
      {"digamma", unary(graph::digamma)},
      {"trigamma", unary(graph::trigamma)},
      {"erf", unary(graph::erf)},
      {"erfc", unary(graph::erfc)},
      {"log_ndtr", unary(graph::log_ndtr)},
      {"pow", binary([](const Tensor& a, const Tensor& b) { return graph::pow(a, b); })},
      {"maximum", binary(graph::maximum)},
      {"minimum", binary(graph::minimum)},
      {"logaddexp",
       {2, 2, 2, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return logaddexp(to_float(a[0], fx), to_float(a[1], fx));
        }}},
      {"clip",
       {3, 3, 3, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          return graph::minimum(graph::maximum(a[0], a[1]), a[2]);
        }}},
      {"sum", reduction(graph::sum, graph::sum)},
      {"mean", reduction(graph::mean, graph::mean)},
      {"prod", reduction(graph::prod, graph::prod)},
      {"max", reduction(graph::max, graph::max)},
      {"min", reduction(graph::min, graph::min)},
      {"logsumexp", reduction(graph::logsumexp, graph::logsumexp)},
      {"log_softmax",
       {1, 2, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType fx) {
          return log_softmax(to_float(a[0], fx), k);
        }}},
      {"softmax",
       {1, 2, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType fx) {
          return softmax(to_float(a[0], fx), k);
        }}},
      {"cumsum",
       {1, 2, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType fx) {
          return graph::cumsum(to_float(a[0], fx), k.empty() ? 0 : k[0]);
        }}},
      {"dot",
       {2, 2, 2, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return graph::dot(to_float(a[0], fx), to_float(a[1], fx));
        }}},
      {"where",
       {3, 3, 3, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          return graph::where(a[0], a[1], a[2]);
        }}},
      // PyMC's pm.math.switch(cond, a, b): where() by its PyTensor name.
      {"switch",
       {3, 3, 3, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          return graph::where(a[0], a[1], a[2]);
        }}},
      {"transpose",
       {1, 1, 1, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          return graph::transpose(a[0]);
        }}},
      {"reshape",
       {2, 9, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType) { return reshaped(a[0], k); }}},
      {"concat",
       {1, 2, 1, true,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType) {
          return graph::concat(a, k.empty() ? 0 : k[0]);
        }}},
      {"stack",
       {1, 2, 1, true,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType) {
          return graph::stack(a, k.empty() ? 0 : k[0]);
        }}},
      {"zeros", make_array(0.0)},
      {"ones", make_array(1.0)},
      {"arange",
       {1, 3, 0, false,
        [](Graph& g, const Tensors&, const Ints& k, graph::DType) { return arange(g, k); }}},
      {"eye",
       {1, 1, 0, false,
        [](Graph& g, const Tensors&, const Ints& k, graph::DType fx) {
          checked_shape("eye", {k[0], k[0]});
          return graph::diag(graph::full(g, {k[0]}, 1.0, fx));
        }}},
      // Linear algebra.
      {"diag",
       {1, 1, 1, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          if (a[0].rank() != 1 && a[0].rank() != 2)
            fail("diag", "needs a vector (for a diagonal matrix) or a matrix (for its diagonal), "
                         "got " +
                             graph::shape_str(a[0].shape()));
          return graph::diag(a[0]);
        }}},
      {"diag_part",
       {1, 1, 1, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType) {
          if (a[0].rank() != 2)
            fail("diag_part", "needs a matrix, got " + graph::shape_str(a[0].shape()));
          return graph::diag(a[0]);
        }}},
      {"tril",
       {1, 2, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType) {
          if (a[0].rank() != 2)
            fail("tril", "needs a matrix, got " + graph::shape_str(a[0].shape()));
          return graph::tril(a[0], k.empty() ? 0 : k[0]);
        }}},
      {"triu",
       {1, 2, 1, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType) {
          return triu(a[0], k.empty() ? 0 : k[0]);
        }}},
      {"cholesky",
       {1, 1, 1, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return graph::cholesky(to_float(a[0], fx));
        }}},
      {"expand_packed_triangular",
       {1, 2, 2, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return expand_packed_triangular(a, fx);
        }}},
      {"solve_triangular",
       {2, 3, 2, false,
        [](Graph&, const Tensors& a, const Ints& k, graph::DType fx) {
          return graph::solve_triangular(to_float(a[0], fx), to_float(a[1], fx),
                                         k.empty() || k[0] != 0);
        }}},
      {"hmm_marginal",
       {3, 3, 3, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return hmm_marginal(to_float(a[0], fx), to_float(a[1], fx), to_float(a[2], fx));
        }}},
      {"gp_exp_quad_cov",
       {3, 3, 3, false,
        [](Graph&, const Tensors& a, const Ints&, graph::DType fx) {
          return gp_exp_quad_cov(to_float(a[0], fx), to_float(a[1], fx), to_float(a[2], fx));
        }}},
  };
  return table;
}

}  // namespace stochos::lang
