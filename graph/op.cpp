#include "graph/op.hpp"

namespace stochos::graph {
namespace {

struct OpInfo {
  std::string_view name;
  OpKind kind;
  int arity;
};

constexpr OpInfo kInfo[] = {
// The kind FloatUnary of ops.def is a Unary op that takes no int64.
#define FloatUnary Unary
#define STOCHOS_OP(name, kind, arity) {#name, OpKind::kind, arity},
#include "graph/ops.def"
#undef STOCHOS_OP
#undef FloatUnary
};

}  // namespace

std::string_view op_name(Op op) {
  return kInfo[static_cast<std::size_t>(op)].name;
}
OpKind op_kind(Op op) {
  return kInfo[static_cast<std::size_t>(op)].kind;
}
int op_arity(Op op) {
  return kInfo[static_cast<std::size_t>(op)].arity;
}

const std::array<Op, kNumOps>& all_ops() {
  static const std::array<Op, kNumOps> ops = [] {
    std::array<Op, kNumOps> a{};
    for (std::size_t i = 0; i < kNumOps; ++i) a[i] = static_cast<Op>(i);
    return a;
  }();
  return ops;
}

}  // namespace stochos::graph
