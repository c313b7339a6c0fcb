// Reduction kernels: ATen's, except that reducing nothing gives the identity (the shapes are
// static, so that is decided at compile time), as native's does.
#include <limits>

#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

using graph::DType;
using graph::Node;
using graph::Op;

Step lower_reduce(const graph::Graph& g, const Node& n) {
  const graph::Shape& in_shape = g.node(n.inputs[0]).shape;
  const DType in = g.node(n.inputs[0]).dtype;
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
    ::at::Scalar identity = 0.0;
    if (n.op == Op::prod) identity = integer ? ::at::Scalar(std::int64_t{1}) : ::at::Scalar(1.0);
    if (n.op == Op::max) identity = integer ? ::at::Scalar(lo) : ::at::Scalar(-inf);
    if (n.op == Op::min) identity = integer ? ::at::Scalar(hi) : ::at::Scalar(inf);
    if (n.op == Op::logsumexp) identity = -inf;
    if (n.op == Op::sum && integer) identity = std::int64_t{0};
    return {STOCHOS_FN1(::at::full(out, identity, x.options())),
            [=](Args, ::at::Tensor& o) { o.fill_(identity); }};
  }
  if (rank == 0) return {STOCHOS_FN1(x), nullptr, true};  // one element: itself
  switch (n.op) {
    case Op::sum:
      return {STOCHOS_FN1(::at::sum(x, dims, keep)),
              STOCHOS_INTO1(::at::sum_out(o, x, dims, keep))};
    case Op::prod:
      if (dims.size() == 1) {
        const std::int64_t d = dims[0];
        return {STOCHOS_FN1(::at::prod(x, d, keep)), STOCHOS_INTO1(::at::prod_out(o, x, d, keep))};
      }
      return {STOCHOS_FN1(::at::prod(x).reshape(out))};
    case Op::max:
      return {STOCHOS_FN1(::at::amax(x, dims, keep)),
              STOCHOS_INTO1(::at::amax_out(o, x, dims, keep))};
    case Op::min:
      return {STOCHOS_FN1(::at::amin(x, dims, keep)),
              STOCHOS_INTO1(::at::amin_out(o, x, dims, keep))};
    case Op::logsumexp:
      // ATen shifts by the maximum and treats an infinite maximum as 0 (all -inf -> -inf,
      // any +inf -> +inf), as native does.
      return {STOCHOS_FN1(::at::logsumexp(x, dims, keep)),
              STOCHOS_INTO1(::at::logsumexp_out(o, x, dims, keep))};
#define STOCHOS_REDUCE_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  no_kernel(n, in);
}

}  // namespace stochos::backends::torch
