// The libtorch engine. The only translation unit of the tree that includes a torch header: it
// includes ATen alone (not <torch/torch.h>, three times slower to compile), so the engine costs
// one compile of about 30 s.
//
// Note [torch plan]
// ~~~~~~~~~~~~~~~~~
// Compiling walks the nodes the outputs need (graph::reachable) once, gives each a *slot* (an
// index into a per-workspace std::vector<at::Tensor>) and lowers each op to an *instruction*: a
// closure over the node's attributes, resolved here once (the ATen function, the axes, the
// slice views, the thresholds), that maps the input slots' tensors to the output tensor.
// Most instructions write through ATen's out= variants into a *buffer* of the workspace: a
// small op spends half its time allocating its result otherwise. Buffers are planned like the
// native arena: one per (dtype, shape) still live, reused once the last reader of the slot
// (and of every view of it: reshape, broadcast_to, transpose, slice, diag_part) has run.
//
// A call sets the input slots to at::from_blob views of the caller's buffers (no copy on the
// CPU), runs the instructions in order under c10::InferenceMode (about 20% cheaper per op than
// NoGradGuard), drops each slot after its last reader, and copies the outputs into the caller's
// buffers. Nothing walks the graph or dispatches on strings per call; constants become tensors
// (on the device) at compile time and are shared read-only by every workspace. TorchScript was
// measured against this and is slower on these graphs: for 60 elementwise ops on float64[8]
// 43 us per call scripted, 79 us with the TensorExpr fuser, 33 us eager under InferenceMode,
// and the out= buffers take eager lower still; it would also cost a second, heavier
// translation unit (torch/script.h compiles in ~33 s against ATen's ~9 s).
//
// Semantics follow graph/elementwise.hpp and the native kernels exactly; where an ATen function
// differs, the lowering corrects it: digamma(0) is NaN (torch: -inf), trigamma is an explicit
// recurrence + asymptotic series (torch's polygamma(1, x) is only ~5e-10 accurate) that is
// +inf at the poles, softplus uses a threshold past which log1p(exp(-x)) is below half an ulp
// (torch's default 20 is not), a float -> int64 cast of NaN or an out-of-range value gives
// INT64_MIN, reductions over empty arrays give their identities (-inf for max, +inf for min),
// a Cholesky factor of a matrix that is not positive definite is all NaN, and an index out of
// range is a RuntimeError naming the op, the index and the row count.
//
// Threads: one executable serves several threads, each with its own workspace; the executable
// holds only immutable tensors (constants), and each workspace its own slots and out= buffers.
//
// Note [torch threads]
// ~~~~~~~~~~~~~~~~~~~~
// The first compile sets ATen's intra-op thread count to 1 unless OMP_NUM_THREADS is set (then
// libtorch's own reading of it stands). The samplers already run one chain per core, each
// calling its executable from its own thread; with libtorch's default (one OpenMP team of
// #physical-cores threads per calling thread, for ops above 32k elements) k chains would start
// k teams and oversubscribe the machine, with GOMP's spinning idle workers taking cycles from
// the other chains. One thread per evaluation is also what the native engine does, so the two
// are compared like for like. Measured on the 2-vCPU development machine (one physical core,
// so libtorch's default is already 1): logistic regression N = 100 000, D = 50 at 1 and 2
// intra-op threads, with 1 and 2 calling threads, showed no gain from the second intra-op
// thread (9.6 vs 9.9 ms CPU per evaluation); a single-chain run on a large machine can raise
// it with OMP_NUM_THREADS.
#include "backends/torch/torch_backend.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/api/include/torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "graph/print.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::libtorch {
namespace {

using graph::DType;
using graph::Node;
using graph::NodeId;
using graph::Op;

constexpr std::uint32_t kNone = 0xffffffffu;

using Args = const at::Tensor* const*;
using Fn = std::function<at::Tensor(Args)>;
using OutFn = std::function<void(Args, at::Tensor&)>;

at::ScalarType scalar_type(DType d) {
  switch (d) {
    case DType::f64:
      return at::kDouble;
    case DType::f32:
      return at::kFloat;
    case DType::i64:
      return at::kLong;
    case DType::boolean:
      return at::kBool;
  }
  return at::kDouble;
}

std::vector<std::int64_t> sizes(const graph::Shape& s) {
  return {s.begin(), s.end()};
}

[[noreturn]] void no_kernel(const Node& n, DType d) {
  throw InputError("torch engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(d)));
}

std::string index_message(const char* op, std::int64_t idx, std::int64_t rows) {
  return std::string(op) + ": index " + std::to_string(idx) + " is out of range for " +
         std::to_string(rows) + " rows";
}

// The first index outside [0, rows), if any (read on the host: the slow path of an error, or
// the check of a device that cannot raise one itself).
std::optional<std::int64_t> first_bad_index(const at::Tensor& idx, std::int64_t rows) {
  const at::Tensor host = idx.to(at::kCPU).contiguous();
  const auto* p = host.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < host.numel(); ++i)
    if (p[i] < 0 || p[i] >= rows) return p[i];
  return std::nullopt;
}

// Runs an indexing op, turning an index out of range into native's RuntimeError. On the CPU
// ATen checks every index itself; other devices would assert on the device, so the indices are
// checked on the host first.
template <class F>
at::Tensor indexed(const char* op, const at::Tensor& idx, std::int64_t rows, const F& f) {
  if (!idx.device().is_cpu()) {
    if (const auto bad = first_bad_index(idx, rows))
      throw RuntimeError(index_message(op, *bad, rows));
    return f();
  }
  try {
    return f();
  } catch (const c10::Error&) {
    if (const auto bad = first_bad_index(idx, rows))
      throw RuntimeError(index_message(op, *bad, rows));
    throw;
  }
}

// trigamma(x) = psi'(x), as exactly as Boost's (native's): the recurrence
// psi'(z) = sum_{k<10} 1/(z+k)^2 + psi'(z+10), then the asymptotic series at w = z + 10 >= 10,
// whose first omitted term is below 1e-15 relative; x < 0 reflects through
// psi'(x) + psi'(1-x) = pi^2 / sin^2(pi x), with sin(pi x) taken of x minus its nearest integer
// so that it stays exact near the poles, which are +inf.
at::Tensor trigamma(const at::Tensor& x) {
  constexpr double pi = std::numbers::pi;
  const at::Tensor neg = x.lt(0);
  const at::Tensor z = at::where(neg, 1 - x, x);
  const at::Tensor k = at::arange(10, x.options());
  const at::Tensor head = (z.unsqueeze(-1) + k).square().reciprocal().sum(-1);
  const at::Tensor w = z + 10;
  const at::Tensor iw = w.reciprocal(), iw2 = iw.square();
  // 1/w + 1/(2w^2) + sum_k B_2k / w^(2k+1), B_2..B_14 = 1/6, -1/30, 1/42, -1/30, 5/66,
  // -691/2730, 7/6.
  at::Tensor series = 7.0 / 6.0 * iw2 - 691.0 / 2730.0;
  series = series * iw2 + 5.0 / 66.0;
  series = series * iw2 - 1.0 / 30.0;
  series = series * iw2 + 1.0 / 42.0;
  series = series * iw2 - 1.0 / 30.0;
  series = series * iw2 + 1.0 / 6.0;
  const at::Tensor positive = head + iw + 0.5 * iw2 + series * iw2 * iw;
  const at::Tensor s = at::sin(pi * (x - at::round(x)));
  const at::Tensor reflected = pi * pi / s.square() - positive;
  const at::Tensor pole = neg.logical_or(x.eq(0)).logical_and(x.eq(at::floor(x)));
  return at::where(pole, std::numeric_limits<double>::infinity(),
                   at::where(neg, reflected, positive));
}

// log Phi(x) as native computes it (graph/scalar_math.cpp): ATen's special_log_ndtr (as
// accurate) down to -20, and below, native's asymptotic series, op for op. The gradient rule
// takes phi/Phi as exp((-x^2/2 - log sqrt(2 pi)) - log_ndtr(x)), a difference of two numbers of
// size x^2/2; computing the tail with native's rounding makes that difference as exact here as
// there. The tail is evaluated at min(x, -20), so it stays finite (and its autograd zero)
// where it is not selected.
at::Tensor log_ndtr(const at::Tensor& x) {
  const at::Tensor t = at::clamp_max(x, -20.0);
  const at::Tensor z = (t * t).reciprocal();
  at::Tensor series = 1 - 9 * z;
  series = 1 - 7 * z * series;
  series = 1 - 5 * z * series;
  series = 1 - 3 * z * series;
  series = 1 - z * series;
  const at::Tensor tail = -0.5 * t * t - at::log(-t) - 0.91893853320467274178 + at::log(series);
  return at::where(x.le(-20.0), tail, at::special_log_ndtr(x));
}

// Native computes digamma, trigamma and log_ndtr of a float32 in double and rounds the result.
template <class F>
at::Tensor in_double(const at::Tensor& x, const F& f) {
  if (x.scalar_type() != at::kFloat) return f(x);
  return f(x.to(at::kDouble)).to(at::kFloat);
}

// --- Lowering -----------------------------------------------------------------------------------

// One node's lowering. `fn` computes it functionally: a fresh tensor, or, when `view`, possibly
// a view of input 0. `into`, when set, writes the same values into a preallocated tensor of the
// node's shape and dtype (ATen's out= variants): per call that saves the allocation, which is
// half the cost of a small op. Torch's autograd mode uses `fn` alone (out= is not
// differentiable).
struct Lowered {
  Lowered() = default;
  Lowered(Fn f, OutFn o = nullptr, bool v = false)
      : fn(std::move(f)), into(std::move(o)), view(v) {}
  Fn fn;
  OutFn into;
  bool view = false;
};

#define STOCHOS_FN1(expr)        \
  [=](Args a) -> at::Tensor {    \
    const at::Tensor& x = *a[0]; \
    return expr;                 \
  }
#define STOCHOS_FN2(expr)        \
  [=](Args a) -> at::Tensor {    \
    const at::Tensor& x = *a[0]; \
    const at::Tensor& y = *a[1]; \
    return expr;                 \
  }
#define STOCHOS_INTO1(stmt)            \
  [=](Args a, at::Tensor& o) -> void { \
    const at::Tensor& x = *a[0];       \
    stmt;                              \
  }
#define STOCHOS_INTO2(stmt)            \
  [=](Args a, at::Tensor& o) -> void { \
    const at::Tensor& x = *a[0];       \
    const at::Tensor& y = *a[1];       \
    stmt;                              \
  }
// ATen's f(x) / f_out(o, x) and f(x, y) / f_out(o, x, y).
#define STOCHOS_E1(f)                                       \
  Lowered {                                                 \
    STOCHOS_FN1(at::f(x)), STOCHOS_INTO1(at::f##_out(o, x)) \
  }
#define STOCHOS_E2(f)                                             \
  Lowered {                                                       \
    STOCHOS_FN2(at::f(x, y)), STOCHOS_INTO2(at::f##_out(o, x, y)) \
  }

Lowered lower_unary(const Node& n, DType in) {
  if (in == DType::i64) {
    switch (n.op) {
      case Op::neg:
        return STOCHOS_E1(neg);
      case Op::abs:
        return STOCHOS_E1(abs);
      case Op::sign:
        return STOCHOS_E1(sign);
      case Op::square:
        return {STOCHOS_FN1(at::mul(x, x)), STOCHOS_INTO1(at::mul_out(o, x, x))};
      default:
        no_kernel(n, in);
    }
  }
  if (!graph::is_float(in)) no_kernel(n, in);
  const bool f32 = in == DType::f32;
  switch (n.op) {
    case Op::neg:
      return STOCHOS_E1(neg);
    case Op::abs:
      return STOCHOS_E1(abs);
    case Op::sign:
      return STOCHOS_E1(sign);  // sign(NaN) = 0, as (0 < x) - (x < 0)
    case Op::square:
      return {STOCHOS_FN1(at::mul(x, x)), STOCHOS_INTO1(at::mul_out(o, x, x))};
    case Op::exp:
      return STOCHOS_E1(exp);
    case Op::expm1:
      return STOCHOS_E1(expm1);
    case Op::log:
      return STOCHOS_E1(log);
    case Op::log1p:
      return STOCHOS_E1(log1p);
    case Op::sqrt:
      return STOCHOS_E1(sqrt);
    case Op::sigmoid:
      return STOCHOS_E1(sigmoid);
    case Op::log_sigmoid:
      return STOCHOS_E1(log_sigmoid);  // min(x, 0) - log1p(exp(-|x|))
    case Op::softplus: {
      // Past the threshold log1p(exp(-x)) is below half an ulp of x, so x is the exact answer.
      const double t = f32 ? 17.0 : 37.0;
      return {STOCHOS_FN1(at::softplus(x, 1.0, t)), STOCHOS_INTO1(at::softplus_out(o, x, 1.0, t))};
    }
    case Op::tanh:
      return STOCHOS_E1(tanh);
    case Op::sin:
      return STOCHOS_E1(sin);
    case Op::cos:
      return STOCHOS_E1(cos);
    case Op::lgamma:
      return STOCHOS_E1(lgamma);
    case Op::digamma:
      // Native (Boost) is NaN at every pole; torch gives -inf at 0.
      return {STOCHOS_FN1(in_double(x, [](const at::Tensor& d) {
        return at::digamma(d).masked_fill(d.eq(0), std::nan(""));
      }))};
    case Op::trigamma:
      return {STOCHOS_FN1(in_double(x, trigamma))};
    case Op::erf:
      return STOCHOS_E1(erf);
    case Op::erfc:
      return STOCHOS_E1(erfc);
    case Op::log_ndtr:
      return {STOCHOS_FN1(in_double(x, log_ndtr))};
    default:
      no_kernel(n, in);
  }
}

Lowered lower_binary(const Node& n, DType in) {
  const bool boolean = in == DType::boolean, integer = in == DType::i64;
  switch (n.op) {
    case Op::add:
      if (boolean) break;
      return STOCHOS_E2(add);
    case Op::sub:
      if (boolean) break;
      return STOCHOS_E2(sub);
    case Op::mul:
      if (boolean) break;
      return STOCHOS_E2(mul);
    case Op::div:
      if (boolean || integer) break;
      return STOCHOS_E2(div);
    case Op::pow:
      if (boolean || integer) break;
      return STOCHOS_E2(pow);
    case Op::maximum:  // NaN propagates in both engines
      if (boolean) break;
      return STOCHOS_E2(maximum);
    case Op::minimum:
      if (boolean) break;
      return STOCHOS_E2(minimum);
    case Op::less:
      return STOCHOS_E2(lt);
    case Op::less_equal:
      return STOCHOS_E2(le);
    case Op::greater:
      return STOCHOS_E2(gt);
    case Op::greater_equal:
      return STOCHOS_E2(ge);
    case Op::equal:
      return STOCHOS_E2(eq);
    case Op::not_equal:
      return STOCHOS_E2(ne);
    case Op::logical_and:
      if (!boolean) break;
      return STOCHOS_E2(logical_and);
    case Op::logical_or:
      if (!boolean) break;
      return STOCHOS_E2(logical_or);
    default:
      break;
  }
  no_kernel(n, in);
}

Lowered lower_cast(DType from, DType to) {
  const at::ScalarType t = scalar_type(to);
  if (from == to) return {STOCHOS_FN1(x), nullptr, true};
  if (to == DType::i64 && graph::is_float(from)) {
    // NaN and floats outside [-2^63, 2^63) have no int64 value: INT64_MIN, as native (NumPy).
    return {STOCHOS_FN1(x.to(t).masked_fill(
        at::logical_not(x.ge(-9.2233720368547758e18).logical_and(x.lt(9.2233720368547758e18))),
        std::numeric_limits<std::int64_t>::min()))};
  }
  // To bool: x != 0 (NaN is true); otherwise C++'s conversion, as native.
  return {STOCHOS_FN1(x.to(t)), STOCHOS_INTO1(o.copy_(x))};
}

Lowered lower_reduce(const Node& n, const graph::Shape& in_shape, DType in) {
  const std::int64_t axis = n.attrs.ints[0];
  const bool keep = n.attrs.ints[1] != 0;
  const auto rank = static_cast<std::int64_t>(in_shape.size());
  const std::vector<std::int64_t> out = sizes(n.shape);
  std::vector<std::int64_t> dims;
  std::int64_t len = graph::numel(in_shape);
  if (axis == graph::kAllAxes) {
    for (std::int64_t k = 0; k < rank; ++k) dims.push_back(k);
  } else {
    dims.push_back(axis);
    len = in_shape[static_cast<std::size_t>(axis)];
  }
  if (in == DType::boolean) no_kernel(n, in);
  if (n.op == Op::logsumexp && !graph::is_float(in)) no_kernel(n, in);
  // Reducing nothing gives the identity (the shapes are static, so this is decided now):
  // -inf for max and logsumexp, +inf for min (the int64 extremes for integers).
  if (len == 0) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    const bool integer = in == DType::i64;
    at::Scalar identity = 0.0;
    if (n.op == Op::prod) identity = integer ? at::Scalar(std::int64_t{1}) : at::Scalar(1.0);
    if (n.op == Op::max) identity = integer ? at::Scalar(lo) : at::Scalar(-inf);
    if (n.op == Op::min) identity = integer ? at::Scalar(hi) : at::Scalar(inf);
    if (n.op == Op::logsumexp) identity = -inf;
    if (n.op == Op::sum && integer) identity = std::int64_t{0};
    return {STOCHOS_FN1(at::full(out, identity, x.options())),
            [=](Args, at::Tensor& o) { o.fill_(identity); }};
  }
  if (rank == 0) return {STOCHOS_FN1(x), nullptr, true};  // one element: itself
  switch (n.op) {
    case Op::sum:
      return {STOCHOS_FN1(at::sum(x, dims, keep)), STOCHOS_INTO1(at::sum_out(o, x, dims, keep))};
    case Op::prod:
      if (dims.size() == 1) {
        const std::int64_t d = dims[0];
        return {STOCHOS_FN1(at::prod(x, d, keep)), STOCHOS_INTO1(at::prod_out(o, x, d, keep))};
      }
      return {STOCHOS_FN1(at::prod(x).reshape(out))};
    case Op::max:
      return {STOCHOS_FN1(at::amax(x, dims, keep)), STOCHOS_INTO1(at::amax_out(o, x, dims, keep))};
    case Op::min:
      return {STOCHOS_FN1(at::amin(x, dims, keep)), STOCHOS_INTO1(at::amin_out(o, x, dims, keep))};
    case Op::logsumexp:
      // ATen shifts by the maximum and treats an infinite maximum as 0 (all -inf -> -inf,
      // any +inf -> +inf), as native does.
      return {STOCHOS_FN1(at::logsumexp(x, dims, keep)),
              STOCHOS_INTO1(at::logsumexp_out(o, x, dims, keep))};
    default:
      no_kernel(n, in);
  }
}

// slice: element i of axis k is start_k + i * step_k. Positive steps are views; an axis with a
// negative step is sliced forwards over the same elements, then flipped.
at::Tensor slice_view(const at::Tensor& x, const std::vector<std::int64_t>& t,
                      std::vector<std::int64_t>* flips) {
  at::Tensor v = x;
  for (std::size_t k = 0; k * 3 < t.size(); ++k) {
    const std::int64_t start = t[3 * k], step = t[3 * k + 1], count = t[3 * k + 2];
    const auto dim = static_cast<std::int64_t>(k);
    if (count == 0) {
      v = v.slice(dim, 0, 0);
    } else if (step > 0) {
      v = v.slice(dim, start, start + (count - 1) * step + 1, step);
    } else {
      const std::int64_t first = start + (count - 1) * step;
      v = v.slice(dim, first, start + 1, -step);
      flips->push_back(dim);
    }
  }
  return v;
}

Lowered lower_shape(const graph::Graph& g, const Node& n) {
  const Node& x0 = g.node(n.inputs[0]);
  const std::vector<std::int64_t> out = sizes(n.shape);
  const auto& ints = n.attrs.ints;
  switch (n.op) {
    case Op::reshape:
      return {STOCHOS_FN1(x.reshape(out)), nullptr, true};
    case Op::broadcast_to:
      return {STOCHOS_FN1(x.expand(out)), nullptr, true};  // a stride-0 view
    case Op::transpose:
      return {STOCHOS_FN1(x.permute(ints)), nullptr, true};
    case Op::concat: {
      const std::size_t count = n.inputs.size();
      const std::int64_t axis = ints[0];
      auto parts = [count](Args a) {
        std::vector<at::Tensor> p(count);
        for (std::size_t k = 0; k < count; ++k) p[k] = *a[k];
        return p;
      };
      return {[=](Args a) { return at::cat(parts(a), axis); },
              [=](Args a, at::Tensor& o) { at::cat_out(o, parts(a), axis); }};
    }
    case Op::slice: {
      bool flips = false;
      for (std::size_t k = 0; k < x0.shape.size(); ++k)
        flips = flips || (ints[3 * k + 1] < 0 && ints[3 * k + 2] > 0);
      if (!flips) {
        return {[=](Args a) {
                  std::vector<std::int64_t> f;
                  return slice_view(*a[0], ints, &f);
                },
                nullptr, true};
      }
      return {[=](Args a) {
        std::vector<std::int64_t> f;
        const at::Tensor v = slice_view(*a[0], ints, &f);
        return at::flip(v, f);
      }};
    }
    case Op::unslice: {
      // ints: the slice triples, then the full shape (= the output's).
      const std::vector<std::int64_t> triples(ints.begin(), ints.begin() + 3 * x0.shape.size());
      auto fill = [triples](const at::Tensor& x, at::Tensor& y) {
        y.zero_();
        std::vector<std::int64_t> f;
        at::Tensor view = slice_view(y, triples, &f);
        view.copy_(f.empty() ? x : at::flip(x, f));
      };
      return {[=](Args a) {
                at::Tensor y = at::empty(out, a[0]->options());
                fill(*a[0], y);
                return y;
              },
              [=](Args a, at::Tensor& o) { fill(*a[0], o); }};
    }
    case Op::gather: {
      const std::int64_t rows = x0.shape[0];
      std::vector<std::int64_t> flat = {graph::numel(g.node(n.inputs[1]).shape)};
      flat.insert(flat.end(), x0.shape.begin() + 1, x0.shape.end());
      return {[=](Args a) {
                const at::Tensor idx = a[1]->reshape(-1);
                return indexed("gather", idx, rows,
                               [&] { return at::index_select(*a[0], 0, idx).reshape(out); });
              },
              [=](Args a, at::Tensor& o) {
                const at::Tensor idx = a[1]->reshape(-1);
                at::Tensor rows_view = o.view(flat);
                indexed("gather", idx, rows,
                        [&] { return at::index_select_out(rows_view, *a[0], 0, idx); });
              }};
    }
    case Op::scatter_add: {
      if (n.dtype == DType::boolean) no_kernel(n, n.dtype);
      const std::int64_t rows = n.shape[0];
      std::vector<std::int64_t> src = {graph::numel(g.node(n.inputs[1]).shape)};
      src.insert(src.end(), out.begin() + 1, out.end());
      return {[=](Args a) {
                const at::Tensor idx = a[1]->reshape(-1);
                return indexed("scatter_add", idx, rows, [&] {
                  return at::index_add(at::zeros(out, a[0]->options()), 0, idx, a[0]->reshape(src));
                });
              },
              [=](Args a, at::Tensor& o) {
                const at::Tensor idx = a[1]->reshape(-1);
                o.zero_();
                indexed("scatter_add", idx, rows,
                        [&] { return o.index_add_(0, idx, a[0]->reshape(src)); });
              }};
    }
    case Op::cumsum: {
      if (n.dtype == DType::boolean) no_kernel(n, n.dtype);
      const std::int64_t axis = ints[0];
      return {STOCHOS_FN1(at::cumsum(x, axis)), STOCHOS_INTO1(at::cumsum_out(o, x, axis))};
    }
    default:
      break;
  }
  no_kernel(n, n.dtype);
}

Lowered lower_linalg(const Node& n) {
  const auto& ints = n.attrs.ints;
  switch (n.op) {
    case Op::matmul: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      const bool ta = ints[0] != 0, tb = ints[1] != 0;
      return {STOCHOS_FN2(at::mm(ta ? x.t() : x, tb ? y.t() : y)),
              STOCHOS_INTO2(at::mm_out(o, ta ? x.t() : x, tb ? y.t() : y))};
    }
    case Op::diag_part:
      return {STOCHOS_FN1(at::diagonal(x)), nullptr, true};
    case Op::diag_embed:
      return {STOCHOS_FN1(at::diag_embed(x))};
    case Op::cholesky: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      // Not positive definite: every entry NaN (a rejected proposal), not an exception.
      return {[](Args a) {
        auto [l, info] = at::linalg_cholesky_ex(*a[0], /*upper=*/false, /*check_errors=*/false);
        return at::where(info.ne(0), std::nan(""), l);
      }};
    }
    case Op::trsolve: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      // op(A) X = B. A transposed lower triangle is an upper one.
      const bool lower = ints[0] != 0, trans = ints[1] != 0;
      const bool upper = trans ? lower : !lower;
      return {STOCHOS_FN2(at::linalg_solve_triangular(trans ? x.t() : x, y, upper)),
              STOCHOS_INTO2(at::linalg_solve_triangular_out(o, trans ? x.t() : x, y, upper))};
    }
    default:
      no_kernel(n, n.dtype);
  }
}

// The one switch over the op table: no default, so a new op does not build until the torch
// engine lowers it (-Werror=switch).
Lowered lower(const graph::Graph& g, const Node& n) {
  const DType in0 = n.inputs.empty() ? n.dtype : g.node(n.inputs[0]).dtype;
  switch (n.op) {
    case Op::constant:
    case Op::input:
      return {};  // bound to slots, no instruction
    case Op::neg:
    case Op::abs:
    case Op::sign:
    case Op::square:
    case Op::exp:
    case Op::expm1:
    case Op::log:
    case Op::log1p:
    case Op::sqrt:
    case Op::sigmoid:
    case Op::log_sigmoid:
    case Op::softplus:
    case Op::tanh:
    case Op::sin:
    case Op::cos:
    case Op::lgamma:
    case Op::digamma:
    case Op::trigamma:
    case Op::erf:
    case Op::erfc:
    case Op::log_ndtr:
      return lower_unary(n, in0);
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::pow:
    case Op::maximum:
    case Op::minimum:
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
    case Op::equal:
    case Op::not_equal:
    case Op::logical_and:
    case Op::logical_or:
      return lower_binary(n, in0);
    case Op::logical_not:
      return STOCHOS_E1(logical_not);
    case Op::where:
      return {[](Args a) { return at::where(*a[0], *a[1], *a[2]); },
              [](Args a, at::Tensor& o) { at::where_out(o, *a[0], *a[1], *a[2]); }};
    case Op::cast:
      return lower_cast(in0, n.dtype);
    case Op::sum:
    case Op::prod:
    case Op::max:
    case Op::min:
    case Op::logsumexp:
      return lower_reduce(n, g.node(n.inputs[0]).shape, in0);
    case Op::reshape:
    case Op::broadcast_to:
    case Op::transpose:
    case Op::concat:
    case Op::slice:
    case Op::unslice:
    case Op::gather:
    case Op::scatter_add:
    case Op::cumsum:
      return lower_shape(g, n);
    case Op::matmul:
    case Op::diag_part:
    case Op::diag_embed:
    case Op::cholesky:
    case Op::trsolve:
      return lower_linalg(n);
  }
  return {};
}

#undef STOCHOS_FN1
#undef STOCHOS_FN2
#undef STOCHOS_INTO1
#undef STOCHOS_INTO2
#undef STOCHOS_E1
#undef STOCHOS_E2

// Constant values (doubles in the graph) as a tensor of the node's dtype on the device.
at::Tensor constant_tensor(const Node& n, const at::Device& device) {
  const std::vector<double>& v = *n.attrs.data;
  at::Tensor t = at::from_blob(const_cast<double*>(v.data()), {static_cast<std::int64_t>(v.size())},
                               at::kDouble)
                     .to(scalar_type(n.dtype))  // float32 rounding, int64 and 0/1 are exact
                     .reshape(sizes(n.shape))
                     .clone();
  return t.to(device);
}

// Constant indices are checked once, at compile time, like native.
void check_constant_indices(const graph::Graph& g, const Node& n) {
  if (n.op != Op::gather && n.op != Op::scatter_add) return;
  if (!g.is_constant(n.inputs[1])) return;
  const std::int64_t rows = n.op == Op::gather ? g.node(n.inputs[0]).shape[0] : n.shape[0];
  const char* op = n.op == Op::gather ? "gather" : "scatter_add";
  for (double v : *g.node(n.inputs[1]).attrs.data) {
    const auto r = static_cast<std::int64_t>(v);
    if (r < 0 || r >= rows) throw InputError(index_message(op, r, rows));
  }
}

// --- The executable -----------------------------------------------------------------------------

struct Instr {
  Fn fn;
  OutFn into;
  std::int32_t buffer = -1;  // >= 0: `into` writes this workspace buffer; else `fn` runs
  std::uint32_t out = 0;
  std::vector<std::uint32_t> in;
  std::vector<std::uint32_t> release;  // slots whose last reader this is
};

struct BufferSpec {
  std::vector<std::int64_t> sizes;
  at::ScalarType type;
};

struct Binding {
  std::uint32_t slot = kNone;
  std::vector<std::int64_t> sizes;
  at::ScalarType type = at::kDouble;
  std::size_t bytes = 0;
};

struct TorchWorkspace final : Workspace {
  std::vector<at::Tensor> slots;
  std::vector<at::Tensor> buffers;  // the out= targets, allocated once per workspace
  std::vector<const at::Tensor*> args;
};

at::Device parse_device(const std::string& name, const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), name) != valid.end() ||
      (name == "cuda" && valid.size() > 1))
    return at::Device(name);
  std::string list;
  for (const auto& d : valid) list += (list.empty() ? "" : ", ") + d;
  throw InputError("torch engine: unknown device '" + name + "'; valid devices: " + list);
}

std::vector<std::string> torch_devices() {
  std::vector<std::string> d = {"cpu"};
  if (at::hasCUDA())
    for (std::size_t i = 0; i < at::getNumGPUs(); ++i) d.push_back("cuda:" + std::to_string(i));
  return d;
}

class TorchExecutable final : public Executable {
 public:
  // Forward mode: `outputs` as given. Autograd mode (wrt non-empty): outputs[0] is the scalar
  // whose gradient torch's reverse mode computes for each wrt.
  TorchExecutable(const graph::Graph& g, std::span<const NodeId> inputs,
                  std::span<const NodeId> outputs, std::span<const NodeId> wrt,
                  const CompileOptions& options, bool autograd)
      : device_(parse_device(options.device, torch_devices())), autograd_(autograd) {
    for (auto id : inputs) {
      if (id >= g.size() || g.node(id).op != Op::input)
        throw InputError("torch engine: node %" + std::to_string(id) + " is not a graph input");
      input_specs_.push_back({g.node(id).dtype, g.node(id).shape});
    }
    for (auto id : outputs) {
      if (id >= g.size())
        throw InputError("torch engine: output node %" + std::to_string(id) + " does not exist");
      output_specs_.push_back({g.node(id).dtype, g.node(id).shape});
    }

    const std::vector<NodeId> order = graph::reachable(g, outputs);
    std::vector<std::uint32_t> slot_of(g.size(), kNone);
    for (std::size_t i = 0; i < order.size(); ++i)
      slot_of[order[i]] = static_cast<std::uint32_t>(i);
    slot_count_ = order.size();

    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Node& n = g.node(inputs[i]);
      inputs_.push_back({slot_of[inputs[i]], sizes(n.shape), scalar_type(n.dtype),
                         static_cast<std::size_t>(graph::numel(n.shape)) * element_size(n.dtype)});
    }
    for (NodeId id : order)
      if (g.node(id).op == Op::input && std::find(inputs.begin(), inputs.end(), id) == inputs.end())
        throw InputError("torch engine: graph input '" + g.node(id).attrs.name +
                         "' is needed but not supplied");
    for (NodeId w : wrt) {
      auto it = std::find(inputs.begin(), inputs.end(), w);
      if (it == inputs.end())
        throw InputError("torch engine: a gradient is asked of a node that is not an input");
      wrt_.push_back(static_cast<std::size_t>(it - inputs.begin()));
    }

    // Lowering, and each slot's root: the slot whose storage it may share (itself, or the root
    // of the input a view was taken of).
    std::vector<std::uint32_t> root(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Node& n = g.node(order[i]);
      const auto slot = static_cast<std::uint32_t>(i);
      root[i] = slot;
      if (n.op == Op::constant) {
        constants_.emplace_back(slot, constant_tensor(n, device_));
        continue;
      }
      if (n.op == Op::input) continue;
      check_constant_indices(g, n);
      Lowered l = lower(g, n);
      if (l.view) root[i] = root[slot_of[n.inputs[0]]];
      Instr ins;
      ins.fn = std::move(l.fn);
      if (!autograd_) ins.into = std::move(l.into);
      ins.out = slot;
      for (auto in : n.inputs) ins.in.push_back(slot_of[in]);
      max_arity_ = std::max(max_arity_, ins.in.size());
      code_.push_back(std::move(ins));
    }

    // Liveness: the last instruction reading each slot; outputs live to the end, and a root as
    // long as any view of it.
    constexpr std::size_t kForever = SIZE_MAX;
    std::vector<std::size_t> last_use(order.size(), 0);
    for (std::size_t i = 0; i < order.size(); ++i)
      for (auto in : g.node(order[i]).inputs) last_use[slot_of[in]] = i;
    std::vector<char> is_output(order.size(), 0), is_constant(order.size(), 0);
    for (auto id : outputs) is_output[slot_of[id]] = 1;
    for (const auto& c : constants_) is_constant[c.first] = 1;
    for (auto& ins : code_)
      for (auto in : ins.in)
        if (last_use[in] == ins.out && !is_output[in] && !is_constant[in] &&
            std::find(ins.release.begin(), ins.release.end(), in) == ins.release.end())
          ins.release.push_back(in);
    for (auto id : outputs) last_use[slot_of[id]] = kForever;
    for (std::size_t i = order.size(); i-- > 0;)
      if (root[i] != i) last_use[root[i]] = std::max(last_use[root[i]], last_use[i]);

    // Buffers for the out= instructions, reused by liveness: a buffer goes back to the pool of
    // its dtype and shape once its root's last reader has run, never while the instruction that
    // frees it is writing.
    std::vector<std::vector<std::uint32_t>> dies_at(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      if (root[i] == i && last_use[i] != kForever) dies_at[last_use[i]].push_back(i);
    std::map<std::pair<int, std::vector<std::int64_t>>, std::vector<std::int32_t>> pool;
    std::vector<std::int32_t> buffer_of(order.size(), -1);
    for (Instr& ins : code_) {
      const Node& n = g.node(order[ins.out]);
      if (ins.into) {
        auto key = std::make_pair(static_cast<int>(n.dtype), sizes(n.shape));
        auto& free = pool[key];
        if (free.empty()) {
          ins.buffer = static_cast<std::int32_t>(buffers_.size());
          buffers_.push_back({key.second, scalar_type(n.dtype)});
        } else {
          ins.buffer = free.back();
          free.pop_back();
        }
        buffer_of[ins.out] = ins.buffer;
      }
      for (auto dead : dies_at[ins.out])
        if (buffer_of[dead] >= 0)
          pool[{static_cast<int>(g.node(order[dead]).dtype), sizes(g.node(order[dead]).shape)}]
              .push_back(buffer_of[dead]);
    }
    for (auto id : outputs) {
      const Node& n = g.node(id);
      outputs_.push_back({slot_of[id], sizes(n.shape), scalar_type(n.dtype),
                          static_cast<std::size_t>(graph::numel(n.shape)) * element_size(n.dtype)});
    }
    for (std::size_t j = 0; j < wrt_.size(); ++j) {
      const TensorSpec& in = input_specs_[wrt_[j]];
      // A gradient has the input's shape; an int64 or bool input takes float64 zeros.
      const DType d = graph::is_float(in.dtype) ? in.dtype : DType::f64;
      output_specs_.push_back({d, in.shape});
      outputs_.push_back({kNone, sizes(in.shape), scalar_type(d),
                          static_cast<std::size_t>(graph::numel(in.shape)) * element_size(d)});
    }
  }

  std::unique_ptr<Workspace> make_workspace() const override {
    auto ws = std::make_unique<TorchWorkspace>();
    c10::InferenceMode guard;
    for (const BufferSpec& b : buffers_)
      ws->buffers.push_back(at::empty(b.sizes, at::TensorOptions().dtype(b.type).device(device_)));
    ws->slots.resize(slot_count_);
    for (const auto& [slot, t] : constants_) ws->slots[slot] = t;
    ws->args.resize(std::max<std::size_t>(max_arity_, 1));
    return ws;
  }

  void run(Workspace& workspace, std::span<const void* const> inputs,
           std::span<void* const> outputs) const override {
    auto& ws = static_cast<TorchWorkspace&>(workspace);
    if (inputs.size() != inputs_.size() || outputs.size() != outputs_.size())
      throw InputError("torch engine: expected " + std::to_string(inputs_.size()) + " inputs and " +
                       std::to_string(outputs_.size()) + " outputs, got " +
                       std::to_string(inputs.size()) + " and " + std::to_string(outputs.size()));
    try {
      if (autograd_) {
        run_autograd(ws, inputs, outputs);
      } else {
        c10::InferenceMode guard;
        bind_inputs(ws, inputs);
        execute(ws);
        for (std::size_t j = 0; j < outputs_.size(); ++j)
          copy_out(ws.slots[outputs_[j].slot], outputs_[j], outputs[j]);
      }
    } catch (const c10::Error& e) {
      clear(ws);
      throw RuntimeError(std::string("torch engine: ") + e.what_without_backtrace());
    } catch (...) {
      clear(ws);
      throw;
    }
    clear(ws);
  }

 private:
  void bind_inputs(TorchWorkspace& ws, std::span<const void* const> inputs) const {
    const auto cpu = at::TensorOptions().device(at::kCPU);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Binding& b = inputs_[i];
      if (b.slot == kNone) continue;
      at::Tensor t = at::from_blob(const_cast<void*>(inputs[i]), b.sizes, cpu.dtype(b.type));
      ws.slots[b.slot] = device_.is_cpu() ? t : t.to(device_);
    }
  }

  void execute(TorchWorkspace& ws) const {
    at::Tensor* slots = ws.slots.data();
    const at::Tensor** args = ws.args.data();
    for (const Instr& ins : code_) {
      for (std::size_t k = 0; k < ins.in.size(); ++k) args[k] = &slots[ins.in[k]];
      if (ins.buffer >= 0) {
        slots[ins.out] = ws.buffers[static_cast<std::size_t>(ins.buffer)];
        ins.into(args, slots[ins.out]);
      } else {
        slots[ins.out] = ins.fn(args);
      }
      for (auto s : ins.release) slots[s].reset();
    }
  }

  static void copy_out(const at::Tensor& r, const Binding& b, void* dst) {
    if (b.bytes == 0) return;
    if (r.device().is_cpu() && r.scalar_type() == b.type && r.is_contiguous()) {
      std::memcpy(dst, r.data_ptr(), b.bytes);
      return;
    }
    at::from_blob(dst, b.sizes, at::TensorOptions().dtype(b.type)).copy_(r);
  }

  void run_autograd(TorchWorkspace& ws, std::span<const void* const> inputs,
                    std::span<void* const> outputs) const {
    c10::AutoGradMode grad_on(true);
    bind_inputs(ws, inputs);
    std::vector<at::Tensor> leaves(wrt_.size());
    for (std::size_t j = 0; j < wrt_.size(); ++j) {
      const Binding& b = inputs_[wrt_[j]];
      if (b.slot == kNone || !at::isFloatingType(b.type)) continue;
      ws.slots[b.slot] = ws.slots[b.slot].detach().requires_grad_(true);
      leaves[j] = ws.slots[b.slot];
    }
    execute(ws);
    const at::Tensor value = ws.slots[outputs_[0].slot];
    copy_out(value.detach(), outputs_[0], outputs[0]);
    std::vector<at::Tensor> used;
    for (const auto& l : leaves)
      if (l.defined()) used.push_back(l);
    if (value.requires_grad() && !used.empty()) value.backward({}, false, false, used);
    for (std::size_t j = 0; j < wrt_.size(); ++j) {
      const Binding& b = outputs_[1 + j];
      const at::Tensor grad = leaves[j].defined() ? leaves[j].grad() : at::Tensor();
      if (grad.defined())
        copy_out(grad.to(b.type), b, outputs[1 + j]);
      else if (b.bytes)
        std::memset(outputs[1 + j], 0, b.bytes);
    }
  }

  // Drops every slot but the constants, so no workspace holds a caller's buffer or a result
  // between calls.
  void clear(TorchWorkspace& ws) const {
    for (const Binding& b : inputs_)
      if (b.slot != kNone) ws.slots[b.slot].reset();
    for (const Binding& b : outputs_)
      if (b.slot != kNone) ws.slots[b.slot].reset();
    for (const auto& [slot, t] : constants_) ws.slots[slot] = t;
  }

  at::Device device_;
  bool autograd_ = false;
  std::vector<Instr> code_;
  std::size_t slot_count_ = 0, max_arity_ = 0;
  std::vector<std::pair<std::uint32_t, at::Tensor>> constants_;
  std::vector<BufferSpec> buffers_;
  std::vector<Binding> inputs_, outputs_;
  std::vector<std::size_t> wrt_;  // per gradient output: the compile input it is taken for
};

// Note [torch threads].
void configure_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!std::getenv("OMP_NUM_THREADS")) at::set_num_threads(1);
  });
}

class TorchBackend final : public Backend {
 public:
  std::string name() const override { return "torch"; }
  std::string version() const override {
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
  }
  std::vector<std::string> devices() const override { return torch_devices(); }
  std::vector<DType> dtypes() const override {
    return {DType::f64, DType::f32, DType::i64, DType::boolean};
  }
  bool supports(Op) const override { return true; }  // lower() covers every op
  std::unique_ptr<Executable> compile(const graph::Graph& g, std::span<const NodeId> inputs,
                                      std::span<const NodeId> outputs,
                                      const CompileOptions& options) const override {
    configure_threads();
    return std::make_unique<TorchExecutable>(g, inputs, outputs, std::span<const NodeId>{}, options,
                                             false);
  }
};

}  // namespace

std::unique_ptr<Backend> make_backend() {
  return std::make_unique<TorchBackend>();
}

std::unique_ptr<Executable> compile_autograd(const graph::Graph& g, std::span<const NodeId> inputs,
                                             NodeId value, std::span<const NodeId> wrt,
                                             const CompileOptions& options) {
  if (value >= g.size() || !g.node(value).shape.empty() || !graph::is_float(g.node(value).dtype))
    throw InputError("torch engine: autograd needs a float scalar to differentiate");
  configure_threads();
  const NodeId outputs[] = {value};
  return std::make_unique<TorchExecutable>(g, inputs, outputs, wrt, options, true);
}

}  // namespace stochos::backends::libtorch
