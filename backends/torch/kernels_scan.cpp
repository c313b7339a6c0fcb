// scan on the torch engine: the body lowered once with the same lowering as any graph
// (lower.cpp), then run step by step over ATen's functional ops, the rows stacked at the end
// (Note [scan] in graph/scan.hpp). Functional ops keep torch's autograd mode working through the
// loop; speed is the native engine's business (it runs the body's plan in place).
#include <algorithm>
#include <memory>

#include "backends/torch/lower.hpp"
#include "graph/print.hpp"
#include "graph/scan.hpp"

namespace stochos::backends::torch {

using graph::Node;
using graph::NodeId;
using graph::Op;

namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

struct BodyProgram {
  struct Instr {
    Fn fn;
    std::uint32_t out = 0;
    std::vector<std::uint32_t> in;
  };
  std::vector<Instr> code;
  std::size_t slot_count = 0, max_arity = 1;
  std::vector<std::uint32_t> input_slots;   // per body input; kNone when the body ignores it
  std::vector<std::uint32_t> output_slots;  // per body output
  std::vector<std::pair<std::uint32_t, ::at::Tensor>> constants;  // on the CPU
  std::int64_t length = 0, width = 0;
  bool reverse = false;
  std::size_t carries = 0, sequences = 0;
  ::at::ScalarType type = ::at::kDouble;
};

std::shared_ptr<const BodyProgram> compile_body(const Node& n) {
  const graph::ScanBody& b = *n.attrs.body;
  auto p = std::make_shared<BodyProgram>();
  p->length = n.attrs.ints[0];
  p->reverse = n.attrs.ints[1] != 0;
  p->width = b.row_size();
  p->carries = b.carries;
  p->sequences = b.sequences;
  p->type = scalar_type(b.dtype());
  const std::vector<NodeId> order = graph::reachable(b.graph, b.outputs);
  std::vector<std::uint32_t> slot_of(b.graph.size(), kNone);
  for (std::size_t i = 0; i < order.size(); ++i) slot_of[order[i]] = static_cast<std::uint32_t>(i);
  p->slot_count = order.size();
  for (NodeId id : b.inputs()) p->input_slots.push_back(slot_of[id]);
  for (NodeId id : b.outputs) p->output_slots.push_back(slot_of[id]);
  for (NodeId id : order) {
    const Node& m = b.graph.node(id);
    if (m.op == Op::input) continue;
    if (m.op == Op::constant) {
      const std::vector<double>& v = *m.attrs.data;
      p->constants.emplace_back(
          slot_of[id], ::at::from_blob(const_cast<double*>(v.data()),
                                       {static_cast<std::int64_t>(v.size())}, ::at::kDouble)
                           .to(scalar_type(m.dtype))
                           .reshape(sizes(m.shape))
                           .clone());
      continue;
    }
    BodyProgram::Instr ins;
    ins.fn = lower(b.graph, m).fn;
    ins.out = slot_of[id];
    for (NodeId in : m.inputs) ins.in.push_back(slot_of[in]);
    p->max_arity = std::max(p->max_arity, ins.in.size());
    p->code.push_back(std::move(ins));
  }
  return p;
}

::at::Tensor run_body(const BodyProgram& p, Args a) {
  std::vector<::at::Tensor> slots(p.slot_count);
  std::vector<const ::at::Tensor*> args(p.max_arity);
  const std::size_t nc = p.carries, ns = p.sequences;
  const std::size_t nk = p.input_slots.size() - nc - ns;
  const ::at::Device device = nc + ns + nk > 0 ? a[0]->device() : ::at::Device(::at::kCPU);
  for (const auto& [slot, t] : p.constants) slots[slot] = t.to(device);
  for (std::size_t c = 0; c < nk; ++c)
    if (p.input_slots[nc + ns + c] != kNone) slots[p.input_slots[nc + ns + c]] = *a[nc + ns + c];
  std::vector<::at::Tensor> carry(nc), rows(static_cast<std::size_t>(p.length)), outs;
  for (std::size_t k = 0; k < nc; ++k) carry[k] = *a[k];
  for (std::int64_t i = 0; i < p.length; ++i) {
    const std::int64_t t = p.reverse ? p.length - 1 - i : i;
    for (std::size_t k = 0; k < nc; ++k)
      if (p.input_slots[k] != kNone) slots[p.input_slots[k]] = carry[k];
    for (std::size_t j = 0; j < ns; ++j)
      if (p.input_slots[nc + j] != kNone) slots[p.input_slots[nc + j]] = a[nc + j]->select(0, t);
    for (const BodyProgram::Instr& ins : p.code) {
      for (std::size_t k = 0; k < ins.in.size(); ++k) args[k] = &slots[ins.in[k]];
      slots[ins.out] = ins.fn(args.data());
    }
    outs.clear();
    for (std::uint32_t s : p.output_slots) outs.push_back(slots[s].reshape({-1}));
    rows[static_cast<std::size_t>(t)] = outs.size() == 1 ? outs[0] : ::at::cat(outs);
    for (std::size_t k = 0; k < nc; ++k) carry[k] = slots[p.output_slots[k]];
  }
  if (p.length == 0)
    return ::at::empty({0, p.width}, ::at::TensorOptions().dtype(p.type).device(device));
  return ::at::stack(rows);
}

}  // namespace

Step lower_scan(const graph::Graph&, const Node& n) {
  std::shared_ptr<const BodyProgram> p = compile_body(n);
  return Step{[p](Args a) { return run_body(*p, a); }};
}

}  // namespace stochos::backends::torch
