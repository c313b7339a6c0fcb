// The op enum and its static facts, generated from ops.def.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace stochos::graph {

enum class Op : std::uint8_t {
#define STOCHOS_OP(name, kind, arity) name,
#include "graph/ops.def"
#undef STOCHOS_OP
};

enum class OpKind : std::uint8_t {
  Source,
  Unary,
  Binary,
  Compare,
  Logical,
  Select,
  Cast,
  Reduce,
  Shape,
  LinAlg,
  Loop  // control flow (scan): a body subgraph, graph/scan.hpp
};

inline constexpr std::size_t kNumOps = 0
#define STOCHOS_OP(name, kind, arity) +1
#include "graph/ops.def"
#undef STOCHOS_OP
    ;

std::string_view op_name(Op op);
OpKind op_kind(Op op);
int op_arity(Op op);  // -1: variadic
// Every op, in table order (for coverage tables and parameterised tests).
const std::array<Op, kNumOps>& all_ops();

// Elementwise ops map equal positions of (broadcast) inputs to the output.
inline bool is_elementwise(Op op) {
  switch (op_kind(op)) {
    case OpKind::Unary:
    case OpKind::Binary:
    case OpKind::Compare:
    case OpKind::Logical:
    case OpKind::Select:
    case OpKind::Cast:
      return true;
    case OpKind::Source:
    case OpKind::Reduce:
    case OpKind::Shape:
    case OpKind::LinAlg:
    case OpKind::Loop:
      return false;
  }
  return false;
}

}  // namespace stochos::graph
