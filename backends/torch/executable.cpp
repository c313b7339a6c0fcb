// The torch plan: slots, instructions, out= buffers reused by liveness, and the call
// (Note [torch plan] in step.hpp).
#include "backends/torch/executable.hpp"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "backends/torch/lower.hpp"
#include "graph/print.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::torch {

using graph::DType;
using graph::Node;
using graph::NodeId;
using graph::Op;

namespace {

// Constant values (doubles in the graph) as a tensor of the node's dtype on the device.
::at::Tensor constant_tensor(const Node& n, const ::at::Device& device) {
  const std::vector<double>& v = *n.attrs.data;
  ::at::Tensor t =
      ::at::from_blob(const_cast<double*>(v.data()), {static_cast<std::int64_t>(v.size())},
                      ::at::kDouble)
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

::at::Device parse_device(const std::string& name, const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), name) != valid.end() ||
      (name == "cuda" && valid.size() > 1))
    return ::at::Device(name);
  std::string list;
  for (const auto& d : valid) list += (list.empty() ? "" : ", ") + d;
  throw InputError("torch engine: unknown device '" + name + "'; valid devices: " + list);
}

}  // namespace

struct TorchWorkspace final : Workspace {
  std::vector<::at::Tensor> slots;
  std::vector<::at::Tensor> buffers;  // the out= targets, allocated once per workspace
  std::vector<const ::at::Tensor*> args;
};

std::vector<std::string> torch_devices() {
  std::vector<std::string> d = {"cpu"};
  if (::at::hasCUDA())
    for (std::size_t i = 0; i < ::at::getNumGPUs(); ++i) d.push_back("cuda:" + std::to_string(i));
  return d;
}

TorchExecutable::TorchExecutable(const graph::Graph& g, std::span<const NodeId> inputs,
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
  for (std::size_t i = 0; i < order.size(); ++i) slot_of[order[i]] = static_cast<std::uint32_t>(i);
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
    Step l = lower(g, n);
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

std::unique_ptr<Workspace> TorchExecutable::make_workspace() const {
  auto ws = std::make_unique<TorchWorkspace>();
  ::c10::InferenceMode guard;
  for (const BufferSpec& b : buffers_)
    ws->buffers.push_back(
        ::at::empty(b.sizes, ::at::TensorOptions().dtype(b.type).device(device_)));
  ws->slots.resize(slot_count_);
  for (const auto& [slot, t] : constants_) ws->slots[slot] = t;
  ws->args.resize(std::max<std::size_t>(max_arity_, 1));
  return ws;
}

void TorchExecutable::run(Workspace& workspace, std::span<const void* const> inputs,
                          std::span<void* const> outputs) const {
  auto& ws = static_cast<TorchWorkspace&>(workspace);
  if (inputs.size() != inputs_.size() || outputs.size() != outputs_.size())
    throw InputError("torch engine: expected " + std::to_string(inputs_.size()) + " inputs and " +
                     std::to_string(outputs_.size()) + " outputs, got " +
                     std::to_string(inputs.size()) + " and " + std::to_string(outputs.size()));
  try {
    if (autograd_) {
      run_autograd(ws, inputs, outputs);
    } else {
      ::c10::InferenceMode guard;
      bind_inputs(ws, inputs);
      execute(ws);
      for (std::size_t j = 0; j < outputs_.size(); ++j)
        copy_out(ws.slots[outputs_[j].slot], outputs_[j], outputs[j]);
    }
  } catch (const ::c10::Error& e) {
    clear(ws);
    throw RuntimeError(std::string("torch engine: ") + e.what_without_backtrace());
  } catch (...) {
    clear(ws);
    throw;
  }
  clear(ws);
}

void TorchExecutable::bind_inputs(TorchWorkspace& ws, std::span<const void* const> inputs) const {
  const auto cpu = ::at::TensorOptions().device(::at::kCPU);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Binding& b = inputs_[i];
    if (b.slot == kNone) continue;
    ::at::Tensor t = ::at::from_blob(const_cast<void*>(inputs[i]), b.sizes, cpu.dtype(b.type));
    ws.slots[b.slot] = device_.is_cpu() ? t : t.to(device_);
  }
}

void TorchExecutable::execute(TorchWorkspace& ws) const {
  ::at::Tensor* slots = ws.slots.data();
  const ::at::Tensor** args = ws.args.data();
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

void TorchExecutable::copy_out(const ::at::Tensor& r, const Binding& b, void* dst) {
  if (b.bytes == 0) return;
  if (r.device().is_cpu() && r.scalar_type() == b.type && r.is_contiguous()) {
    std::memcpy(dst, r.data_ptr(), b.bytes);
    return;
  }
  ::at::from_blob(dst, b.sizes, ::at::TensorOptions().dtype(b.type)).copy_(r);
}

void TorchExecutable::run_autograd(TorchWorkspace& ws, std::span<const void* const> inputs,
                                   std::span<void* const> outputs) const {
  ::c10::AutoGradMode grad_on(true);
  bind_inputs(ws, inputs);
  std::vector<::at::Tensor> leaves(wrt_.size());
  for (std::size_t j = 0; j < wrt_.size(); ++j) {
    const Binding& b = inputs_[wrt_[j]];
    if (b.slot == kNone || !::at::isFloatingType(b.type)) continue;
    ws.slots[b.slot] = ws.slots[b.slot].detach().requires_grad_(true);
    leaves[j] = ws.slots[b.slot];
  }
  execute(ws);
  const ::at::Tensor value = ws.slots[outputs_[0].slot];
  copy_out(value.detach(), outputs_[0], outputs[0]);
  std::vector<::at::Tensor> used;
  for (const auto& l : leaves)
    if (l.defined()) used.push_back(l);
  if (value.requires_grad() && !used.empty()) value.backward({}, false, false, used);
  for (std::size_t j = 0; j < wrt_.size(); ++j) {
    const Binding& b = outputs_[1 + j];
    const ::at::Tensor grad = leaves[j].defined() ? leaves[j].grad() : ::at::Tensor();
    if (grad.defined())
      copy_out(grad.to(b.type), b, outputs[1 + j]);
    else if (b.bytes)
      std::memset(outputs[1 + j], 0, b.bytes);
  }
}

// Drops every slot but the constants, so no workspace holds a caller's buffer or a result
// between calls.
void TorchExecutable::clear(TorchWorkspace& ws) const {
  for (const Binding& b : inputs_)
    if (b.slot != kNone) ws.slots[b.slot].reset();
  for (const Binding& b : outputs_)
    if (b.slot != kNone) ws.slots[b.slot].reset();
  for (const auto& [slot, t] : constants_) ws.slots[slot] = t;
}

}  // namespace stochos::backends::torch
