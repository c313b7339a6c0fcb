// Note [native scan]
// ~~~~~~~~~~~~~~~~~~
// A scan step holds its body compiled into a NativeExecutable of its own (ScanPlan::body); each
// workspace of the outer plan makes the body's workspace once, beside its own, and keeps the
// body's slot array in a slot of the outer one (Step::p[0]), so a call allocates nothing. Step t
// then only moves pointers: the body's carry slots point at row t-1 of the packed result (the
// initial carries at the first step), its sequence slots at row t of each sequence, and the
// slots of the outputs its steps compute at their place in row t, so the body writes the result
// where it belongs and reads the carries where they were written: no copy at all. Outputs the
// body does not compute itself (a carry passed through, a constant, a reshape view, one node
// returned twice) are copied into the row after the step; an 8-byte one by a plain store.
// Per step that is a few pointer stores and the body's own steps.
//
// A body whose every node is a float64 scalar (the recurrences of GARCH, ARMA or a
// one-dimensional Kalman filter, and their reverse scans) skips the plan: it becomes straight
// code over a register file of doubles on the stack, one register per body node: add, sub, mul,
// div, neg and square decoded inline, any other op a call of graph/elementwise.hpp's definition
// (the values native's kernels give a scalar). A step loads the carries from the previous row
// and the sequences' elements, runs the code and stores the outputs in its row: about 2 ns per
// body node, where a plan step costs several (docs/performance.md, GARCH(1,1) at T = 200).
#include <algorithm>
#include <cstring>

#include "backends/native/executable.hpp"
#include "backends/native/scan.hpp"
#include "graph/elementwise.hpp"
#include "graph/print.hpp"
#include "graph/scan.hpp"

namespace stochos::backends::native {
namespace {

inline void copy_bytes(std::byte* dst, const void* src, std::size_t bytes) {
  if (bytes == sizeof(std::uint64_t))
    std::memcpy(dst, src, sizeof(std::uint64_t));  // a constant size: one load and store
  else
    std::memcpy(dst, src, bytes);
}

void run_scan(const Step& s, void** slots) {
  const ScanPlan& p = *s.scan;
  void** body = static_cast<void**>(slots[s.p[0]]);
  const std::size_t nc = p.carries.size(), ns = p.sequences.size();
  for (std::size_t c = 0; c < p.constants.size(); ++c)
    if (p.constants[c] != kUnused) body[p.constants[c]] = slots[s.in[nc + ns + c]];
  auto* out = static_cast<std::byte*>(slots[s.out]);
  const std::int64_t length = p.length;
  const std::ptrdiff_t back = p.reverse ? static_cast<std::ptrdiff_t>(p.row_bytes)
                                        : -static_cast<std::ptrdiff_t>(p.row_bytes);
  for (std::int64_t i = 0; i < length; ++i) {
    const std::int64_t t = p.reverse ? length - 1 - i : i;
    std::byte* row = out + static_cast<std::size_t>(t) * p.row_bytes;
    for (std::size_t k = 0; k < nc; ++k) {
      const ScanPlan::Carry& c = p.carries[k];
      if (c.slot == kUnused) continue;
      body[c.slot] = i == 0 ? slots[s.in[k]] : row + back + c.offset;
    }
    for (std::size_t j = 0; j < ns; ++j) {
      const ScanPlan::Sequence& q = p.sequences[j];
      if (q.slot == kUnused) continue;
      body[q.slot] =
          static_cast<std::byte*>(slots[s.in[nc + j]]) + static_cast<std::size_t>(t) * q.row_bytes;
    }
    for (const ScanPlan::Output& o : p.direct) body[o.slot] = row + o.offset;
    p.body->run_steps(body);
    for (const ScanPlan::Output& o : p.copied) copy_bytes(row + o.offset, body[o.slot], o.bytes);
  }
}

template <graph::Op O>
void unary_instr(double* r, const ScalarBody::Instr& i) {
  r[i.dst] = graph::Elementwise<O>::apply(r[i.a]);
}

template <graph::Op O>
void binary_instr(double* r, const ScalarBody::Instr& i) {
  r[i.dst] = static_cast<double>(graph::Elementwise<O>::apply(r[i.a], r[i.b]));
}

// The instruction of an elementwise op on float64 scalars; null for any other op. Comparisons
// and logic give bools, which a float64-only body never holds.
decltype(ScalarBody::Instr::fn) scalar_fn(graph::Op op) {
  using graph::Op;
  switch (op) {
#define STOCHOS_UNARY_OP(name) \
  case Op::name:               \
    return &unary_instr<Op::name>;
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return &binary_instr<Op::name>;
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;
  }
  return nullptr;
}

// The register program of a body of float64 scalars, or null when some node is not one.
std::unique_ptr<ScalarBody> scalar_body(const graph::ScanBody& b) {
  if (b.graph.size() > ScalarBody::kMaxRegisters) return nullptr;
  const auto order = graph::reachable(b.graph, b.outputs);
  auto q = std::make_unique<ScalarBody>();
  for (graph::NodeId id : b.inputs()) {
    const graph::Node& n = b.graph.node(id);
    if (n.dtype != graph::DType::f64 || !n.shape.empty()) return nullptr;
    q->inputs.push_back(id);
  }
  for (graph::NodeId id : order) {
    const graph::Node& n = b.graph.node(id);
    if (n.dtype != graph::DType::f64 || !n.shape.empty()) return nullptr;
    if (n.op == graph::Op::input) continue;
    if (n.op == graph::Op::constant) {
      q->constants.emplace_back(id, n.attrs.data->at(0));
      continue;
    }
    const auto fn = scalar_fn(n.op);
    if (!fn) return nullptr;
    using Code = ScalarBody::Code;
    Code code = Code::call;
    if (n.op == graph::Op::add) code = Code::add;
    if (n.op == graph::Op::sub) code = Code::sub;
    if (n.op == graph::Op::mul) code = Code::mul;
    if (n.op == graph::Op::div) code = Code::div;
    if (n.op == graph::Op::neg) code = Code::neg;
    if (n.op == graph::Op::square) code = Code::square;
    const std::uint32_t b_in = n.inputs.size() > 1 ? n.inputs[1] : n.inputs.at(0);
    q->code.push_back({code, id, n.inputs.at(0), b_in, fn});
  }
  for (graph::NodeId id : b.outputs) q->outputs.push_back(id);
  return q;
}

void run_scalar_scan(const Step& s, void** slots) {
  const ScanPlan& p = *s.scan;
  const ScalarBody& q = *p.scalar;
  double r[ScalarBody::kMaxRegisters];
  for (const auto& [reg, v] : q.constants) r[reg] = v;
  const std::size_t nc = p.carries.size(), ns = p.sequences.size();
  for (std::size_t c = nc + ns; c < q.inputs.size(); ++c)
    r[q.inputs[c]] = *static_cast<const double*>(slots[s.in[c]]);
  auto* out = static_cast<double*>(slots[s.out]);
  const std::size_t width = q.outputs.size();  // every output is one double
  const std::int64_t length = p.length;
  const std::ptrdiff_t back =
      p.reverse ? static_cast<std::ptrdiff_t>(width) : -static_cast<std::ptrdiff_t>(width);
  for (std::size_t k = 0; k < nc; ++k) r[q.inputs[k]] = *static_cast<const double*>(slots[s.in[k]]);
  for (std::int64_t i = 0; i < length; ++i) {
    const std::int64_t t = p.reverse ? length - 1 - i : i;
    double* row = out + static_cast<std::size_t>(t) * width;
    if (i > 0)
      for (std::size_t k = 0; k < nc; ++k)
        r[q.inputs[k]] = row[back + static_cast<std::ptrdiff_t>(k)];
    for (std::size_t j = 0; j < ns; ++j)
      r[q.inputs[nc + j]] = static_cast<const double*>(slots[s.in[nc + j]])[t];
    for (const ScalarBody::Instr& ins : q.code) {
      switch (ins.code) {
        case ScalarBody::Code::add:
          r[ins.dst] = r[ins.a] + r[ins.b];
          break;
        case ScalarBody::Code::sub:
          r[ins.dst] = r[ins.a] - r[ins.b];
          break;
        case ScalarBody::Code::mul:
          r[ins.dst] = r[ins.a] * r[ins.b];
          break;
        case ScalarBody::Code::div:
          r[ins.dst] = r[ins.a] / r[ins.b];
          break;
        case ScalarBody::Code::neg:
          r[ins.dst] = -r[ins.a];
          break;
        case ScalarBody::Code::square:
          r[ins.dst] = r[ins.a] * r[ins.a];
          break;
        case ScalarBody::Code::call:
          ins.fn(r, ins);
          break;
      }
    }
    for (std::size_t j = 0; j < width; ++j) row[j] = r[q.outputs[j]];
  }
}

}  // namespace

void lower_scan(const graph::Graph& g, const graph::Node& n, Step& s) {
  const graph::ScanBody& b = *n.attrs.body;
  auto p = std::make_shared<ScanPlan>();
  p->length = n.attrs.ints[0];
  p->reverse = n.attrs.ints[1] != 0;
  if ((p->scalar = scalar_body(b))) {
    p->carries.resize(b.carries, {kUnused, 0});
    p->sequences.resize(b.sequences, {kUnused, 0});
    s.scan = std::move(p);
    s.fn = &run_scalar_scan;
    return;
  }
  p->body = std::make_unique<NativeExecutable>(b.graph, b.inputs(), b.outputs);
  const std::size_t elem = element_size(b.dtype());
  p->row_bytes = static_cast<std::size_t>(b.row_size()) * elem;
  for (std::size_t k = 0; k < b.carries; ++k)
    p->carries.push_back(
        {p->body->input_slot(k), static_cast<std::size_t>(b.row_offset(k)) * elem});
  for (std::size_t j = 0; j < b.sequences; ++j) {
    const graph::Node& seq = g.node(n.inputs[b.carries + j]);
    const graph::Shape row(seq.shape.begin() + 1, seq.shape.end());
    p->sequences.push_back({p->body->input_slot(b.carries + j),
                            static_cast<std::size_t>(graph::numel(row)) * element_size(seq.dtype)});
  }
  for (std::size_t c = 0; c < b.constants(); ++c)
    p->constants.push_back(p->body->input_slot(b.carries + b.sequences + c));
  std::vector<std::uint32_t> redirected;
  for (std::size_t j = 0; j < b.outputs.size(); ++j) {
    const ScanPlan::Output o{
        p->body->output_slot(j), static_cast<std::size_t>(b.row_offset(j)) * elem,
        static_cast<std::size_t>(graph::numel(b.graph.node(b.outputs[j]).shape)) * elem};
    const bool first = std::find(redirected.begin(), redirected.end(), o.slot) == redirected.end();
    if (p->body->computes(j) && first) {
      p->direct.push_back(o);
      redirected.push_back(o.slot);
    } else {
      p->copied.push_back(o);
    }
  }
  s.scan = std::move(p);
  s.fn = &run_scan;
}

}  // namespace stochos::backends::native
