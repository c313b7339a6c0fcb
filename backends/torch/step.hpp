// One step of a torch plan: a node lowered, once, to a closure over ATen (Note [torch plan]),
// and the helpers every kernel family shares. Private to backends/torch/, like every header
// here that includes libtorch.
//
// Note [torch plan]
// ~~~~~~~~~~~~~~~~~
// Compiling walks the nodes the outputs need (graph::reachable) once, gives each a *slot* (an
// index into a per-workspace std::vector<::at::Tensor>) and lowers each op to an *instruction*: a
// closure over the node's attributes, resolved here once (the ATen function, the axes, the
// slice views, the thresholds), that maps the input slots' tensors to the output tensor.
// Most instructions write through ATen's out= variants into a *buffer* of the workspace: a
// small op spends half its time allocating its result otherwise. Buffers are planned like the
// native arena: one per (dtype, shape) still live, reused once the last reader of the slot
// (and of every view of it: reshape, broadcast_to, transpose, slice, diag_part) has run.
//
// A call sets the input slots to ::at::from_blob views of the caller's buffers (no copy on the
// CPU), runs the instructions in order under ::c10::InferenceMode (about 20% cheaper per op than
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
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graph/graph.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::torch {

using Args = const ::at::Tensor* const*;
using Fn = std::function<::at::Tensor(Args)>;
using OutFn = std::function<void(Args, ::at::Tensor&)>;

// One node's lowering. `fn` computes it functionally: a fresh tensor, or, when `view`, possibly
// a view of input 0. `into`, when set, writes the same values into a preallocated tensor of the
// node's shape and dtype (ATen's out= variants): per call that saves the allocation, which is
// half the cost of a small op. Torch's autograd mode uses `fn` alone (out= is not
// differentiable).
struct Step {
  Step() = default;
  Step(Fn f, OutFn o = nullptr, bool v = false) : fn(std::move(f)), into(std::move(o)), view(v) {}
  Fn fn;
  OutFn into;
  bool view = false;
};

// Lowering by op family (kernels_*.cpp), each for a node of its family.
Step lower_elementwise(const graph::Graph& g, const graph::Node& n);
Step lower_reduce(const graph::Graph& g, const graph::Node& n);
Step lower_shape(const graph::Graph& g, const graph::Node& n);
Step lower_linalg(const graph::Graph& g, const graph::Node& n);
Step lower_scan(const graph::Graph& g, const graph::Node& n);

inline ::at::ScalarType scalar_type(graph::DType d) {
  switch (d) {
    case graph::DType::f64:
      return ::at::kDouble;
    case graph::DType::f32:
      return ::at::kFloat;
    case graph::DType::i64:
      return ::at::kLong;
    case graph::DType::boolean:
      return ::at::kBool;
  }
  return ::at::kDouble;
}

inline std::vector<std::int64_t> sizes(const graph::Shape& s) {
  return {s.begin(), s.end()};
}

[[noreturn]] inline void no_kernel(const graph::Node& n, graph::DType d) {
  throw InputError("torch engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(d)));
}

inline std::string index_message(const char* op, std::int64_t idx, std::int64_t rows) {
  return std::string(op) + ": index " + std::to_string(idx) + " is out of range for " +
         std::to_string(rows) + " rows";
}

// Step-building shorthands for the kernels_*.cpp files: a closure over input 0 (x) or inputs 0
// and 1 (y), functional (FN) or writing the out= tensor o (INTO).
#define STOCHOS_FN1(expr)          \
  [=](Args a) -> ::at::Tensor {    \
    const ::at::Tensor& x = *a[0]; \
    return expr;                   \
  }
#define STOCHOS_FN2(expr)          \
  [=](Args a) -> ::at::Tensor {    \
    const ::at::Tensor& x = *a[0]; \
    const ::at::Tensor& y = *a[1]; \
    return expr;                   \
  }
#define STOCHOS_INTO1(stmt)              \
  [=](Args a, ::at::Tensor& o) -> void { \
    const ::at::Tensor& x = *a[0];       \
    stmt;                                \
  }
#define STOCHOS_INTO2(stmt)              \
  [=](Args a, ::at::Tensor& o) -> void { \
    const ::at::Tensor& x = *a[0];       \
    const ::at::Tensor& y = *a[1];       \
    stmt;                                \
  }
// ATen's f(x) / f_out(o, x) and f(x, y) / f_out(o, x, y).
#define STOCHOS_E1(f)                                           \
  Step {                                                        \
    STOCHOS_FN1(::at::f(x)), STOCHOS_INTO1(::at::f##_out(o, x)) \
  }
#define STOCHOS_E2(f)                                                 \
  Step {                                                              \
    STOCHOS_FN2(::at::f(x, y)), STOCHOS_INTO2(::at::f##_out(o, x, y)) \
  }

}  // namespace stochos::backends::torch
