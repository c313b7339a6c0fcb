// Constant folding at construction: elementwise ops, reshapes, broadcasts, sums, transposes,
// slices, gathers and short scans of constants are evaluated once, in double, through the same
// scalar definitions the engines use. Other ops (linear algebra, cumsum) stay in the graph. Each
// switch names every op (graph/ops_by_kind.def groups the kinds it treats alike), so a new op
// does not build until it is placed here.
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "graph/elementwise.hpp"
#include "graph/graph.hpp"
#include "graph/scan.hpp"

namespace stochos::graph {
namespace {

constexpr std::int64_t kMaxFoldElements = std::int64_t{1} << 22;

// For every element of `out`, the flat offset of the element of `in` it reads under NumPy
// broadcasting.
std::vector<std::int64_t> broadcast_offsets(const Shape& out, const Shape& in) {
  const std::size_t r = out.size();
  Shape in_full(r, 1);
  std::copy(in.begin(), in.end(), in_full.begin() + static_cast<std::ptrdiff_t>(r - in.size()));
  Shape st = row_major_strides(in_full);
  for (std::size_t k = 0; k < r; ++k)
    if (in_full[k] == 1) st[k] = 0;
  const std::int64_t n = numel(out);
  std::vector<std::int64_t> offs(static_cast<std::size_t>(n));
  std::vector<std::int64_t> idx(r, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t o = 0;
    for (std::size_t k = 0; k < r; ++k) o += idx[k] * st[k];
    offs[static_cast<std::size_t>(i)] = o;
    for (std::size_t k = r; k-- > 0;) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return offs;
}

// Maps each element of the output of a strided view to its input offset: element i of axis k
// reads start_k + i * step_k, with the input's row-major strides.
std::vector<std::int64_t> view_offsets(const Shape& out, const Shape& in,
                                       const std::vector<std::int64_t>& start,
                                       const std::vector<std::int64_t>& step) {
  const Shape st = row_major_strides(in);
  const std::int64_t n = numel(out);
  std::vector<std::int64_t> offs(static_cast<std::size_t>(n));
  std::vector<std::int64_t> idx(out.size(), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t o = 0;
    for (std::size_t k = 0; k < out.size(); ++k) o += (start[k] + idx[k] * step[k]) * st[k];
    offs[static_cast<std::size_t>(i)] = o;
    for (std::size_t k = out.size(); k-- > 0;) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return offs;
}

const std::vector<double>& data(const Graph& g, NodeId id) {
  return *g.node(id).attrs.data;
}

}  // namespace

double eval_unary(Op op, double x) {
  switch (op) {
#define STOCHOS_UNARY_OP(name) \
  case Op::name:               \
    return static_cast<double>(Elementwise<Op::name>::apply(x));
#define STOCHOS_LOGICAL_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    case Op::logical_and:
    case Op::logical_or:
      break;
    case Op::logical_not:
      return x != 0.0 ? 0.0 : 1.0;
  }
  throw std::logic_error("eval_unary: " + std::string(op_name(op)) + " takes other than one input");
}

double eval_binary(Op op, double a, double b) {
  switch (op) {
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return static_cast<double>(Elementwise<Op::name>::apply(a, b));
#define STOCHOS_COMPARE_OP(name) STOCHOS_BINARY_OP(name)
#define STOCHOS_LOGICAL_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    case Op::logical_not:
      break;
    case Op::logical_and:
      return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
    case Op::logical_or:
      return (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
  }
  throw std::logic_error("eval_binary: " + std::string(op_name(op)) +
                         " takes other than two inputs");
}

std::optional<std::vector<double>> fold(const Graph& g, const Node& n) {
  const std::int64_t size = numel(n.shape);
  if (size > kMaxFoldElements) return std::nullopt;
  std::vector<double> out(static_cast<std::size_t>(size));
  auto in = [&](std::size_t i) -> const Node& { return g.node(n.inputs[i]); };

  if (is_elementwise(n.op)) {
    std::vector<std::vector<std::int64_t>> offs;
    for (std::size_t i = 0; i < n.inputs.size(); ++i)
      offs.push_back(broadcast_offsets(n.shape, in(i).shape));
    auto at = [&](std::size_t i, std::size_t k) {
      return data(g, n.inputs[i])[static_cast<std::size_t>(offs[i][k])];
    };
    for (std::size_t k = 0; k < out.size(); ++k) {
      switch (op_kind(n.op)) {
        case OpKind::Cast:
          out[k] = at(0, k);
          break;  // Graph::constant rounds to the dtype
        case OpKind::Select:
          out[k] = at(0, k) != 0 ? at(1, k) : at(2, k);
          break;
        case OpKind::Unary:
        case OpKind::Binary:
        case OpKind::Compare:
        case OpKind::Logical:
          out[k] = n.inputs.size() == 1 ? eval_unary(n.op, at(0, k))
                                        : eval_binary(n.op, at(0, k), at(1, k));
          break;
        case OpKind::Source:
        case OpKind::Reduce:
        case OpKind::Shape:
        case OpKind::LinAlg:
        case OpKind::Loop:
          return std::nullopt;  // not elementwise: is_elementwise kept them out
      }
      if (n.dtype == DType::f32) out[k] = static_cast<float>(out[k]);
    }
    return out;
  }

  switch (n.op) {
#define STOCHOS_REDUCE_OP(name)
#define STOCHOS_SHAPE_OP(name)
#define STOCHOS_LOOP_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    // Elementwise ops are folded above and sources are values already; linear algebra stays
    // in the graph (its engines' kernels beat a fold in double).
    return std::nullopt;
    // Rarely applied to constants: not worth a second implementation yet.
    case Op::prod:
    case Op::max:
    case Op::min:
    case Op::logsumexp:
    case Op::concat:
    case Op::unslice:
    case Op::scatter_add:
    case Op::cumsum:
      return std::nullopt;
    case Op::scan:
      return fold_scan(g, n);  // unrolled over constants when short (graph/scan.cpp)
    case Op::reshape:
      return data(g, n.inputs[0]);
    case Op::broadcast_to: {
      const auto offs = broadcast_offsets(n.shape, in(0).shape);
      for (std::size_t k = 0; k < out.size(); ++k)
        out[k] = data(g, n.inputs[0])[static_cast<std::size_t>(offs[k])];
      return out;
    }
    case Op::sum: {
      const Shape& s = in(0).shape;
      const auto& x = data(g, n.inputs[0]);
      if (n.attrs.ints[0] == kAllAxes) {
        double acc = 0;
        for (double v : x) acc += v;
        out.assign(1, acc);
        return out;
      }
      const auto ax = static_cast<std::size_t>(n.attrs.ints[0]);
      std::int64_t outer = 1, inner = 1;
      for (std::size_t k = 0; k < ax; ++k) outer *= s[k];
      for (std::size_t k = ax + 1; k < s.size(); ++k) inner *= s[k];
      const std::int64_t len = s[ax];
      for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t i = 0; i < inner; ++i) {
          double acc = 0;
          for (std::int64_t j = 0; j < len; ++j)
            acc += x[static_cast<std::size_t>((o * len + j) * inner + i)];
          out[static_cast<std::size_t>(o * inner + i)] = acc;
        }
      return out;
    }
    case Op::transpose: {
      const Shape& s = in(0).shape;
      std::vector<std::int64_t> start(s.size(), 0), step(s.size());
      const Shape st = row_major_strides(s);
      // A transpose is a view whose axis k walks input axis perm[k]: express it with unit steps
      // over a permuted stride table.
      Shape perm_shape(s.size());
      for (std::size_t k = 0; k < s.size(); ++k)
        perm_shape[k] = s[static_cast<std::size_t>(n.attrs.ints[k])];
      const auto& x = data(g, n.inputs[0]);
      std::vector<std::int64_t> idx(s.size(), 0);
      for (std::size_t i = 0; i < out.size(); ++i) {
        std::int64_t o = 0;
        for (std::size_t k = 0; k < s.size(); ++k)
          o += idx[k] * st[static_cast<std::size_t>(n.attrs.ints[k])];
        out[i] = x[static_cast<std::size_t>(o)];
        for (std::size_t k = s.size(); k-- > 0;) {
          if (++idx[k] < perm_shape[k]) break;
          idx[k] = 0;
        }
      }
      return out;
    }
    case Op::slice: {
      const std::size_t r = n.shape.size();
      std::vector<std::int64_t> start(r), step(r);
      for (std::size_t k = 0; k < r; ++k) {
        start[k] = n.attrs.ints[3 * k];
        step[k] = n.attrs.ints[3 * k + 1];
      }
      const auto offs = view_offsets(n.shape, in(0).shape, start, step);
      for (std::size_t k = 0; k < out.size(); ++k)
        out[k] = data(g, n.inputs[0])[static_cast<std::size_t>(offs[k])];
      return out;
    }
    case Op::gather: {
      const auto& x = data(g, n.inputs[0]);
      const auto& idx = data(g, n.inputs[1]);
      const std::int64_t inner = numel(in(0).shape) / std::max<std::int64_t>(in(0).shape[0], 1);
      for (std::size_t i = 0; i < idx.size(); ++i)
        for (std::int64_t j = 0; j < inner; ++j)
          out[static_cast<std::size_t>(static_cast<std::int64_t>(i) * inner + j)] =
              x[static_cast<std::size_t>(static_cast<std::int64_t>(idx[i]) * inner + j)];
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace stochos::graph
