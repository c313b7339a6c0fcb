#include "backends/native/executable.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>

#include "backends/native/fuse.hpp"
#include "backends/native/lower.hpp"
#include "backends/native/scan.hpp"
#include "graph/print.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

constexpr std::size_t kAlign = 64;

std::size_t bytes_of(const graph::Node& n) {
  return static_cast<std::size_t>(graph::numel(n.shape)) * element_size(n.dtype);
}

// Best-fit reuse of freed arena blocks; memory is requested from the top only when no freed
// block fits.
class ArenaPlanner {
 public:
  std::size_t allocate(std::size_t bytes) {
    bytes = std::max<std::size_t>((bytes + kAlign - 1) / kAlign * kAlign, kAlign);
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second >= bytes && (best == free_.end() || it->second < best->second)) best = it;
    if (best == free_.end()) {
      const std::size_t at = top_;
      top_ += bytes;
      return at;
    }
    const std::size_t at = best->first, size = best->second;
    free_.erase(best);
    if (size > bytes) free_.emplace(at + bytes, size - bytes);
    return at;
  }
  void release(std::size_t at, std::size_t bytes) {
    bytes = std::max<std::size_t>((bytes + kAlign - 1) / kAlign * kAlign, kAlign);
    auto it = free_.emplace(at, bytes).first;
    // Merge with the neighbours so large buffers can reuse several small freed ones.
    if (auto next = std::next(it); next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }
  std::size_t size() const { return top_; }

 private:
  std::map<std::size_t, std::size_t> free_;  // offset -> size
  std::size_t top_ = 0;
};

template <class T>
void fill(std::vector<std::uint64_t>& buf, const std::vector<double>& v) {
  buf.assign((v.size() * sizeof(T) + 7) / 8 + 1, 0);
  T* p = reinterpret_cast<T*>(buf.data());
  for (std::size_t i = 0; i < v.size(); ++i) p[i] = static_cast<T>(v[i]);
}

struct NativeWorkspace final : Workspace {
  std::unique_ptr<std::byte[], void (*)(std::byte*)> arena{
      nullptr, [](std::byte* p) { ::operator delete[](p, std::align_val_t{kAlign}); }};
  std::vector<void*> slots;
  std::vector<std::vector<std::byte>> steady_values;  // per steady input, as last run
  bool steady_run = false;                            // the steady steps have run once
  std::vector<std::unique_ptr<Workspace>> bodies;     // one per scan step, made with the workspace
};

}  // namespace

NativeExecutable::NativeExecutable(const graph::Graph& g, std::span<const graph::NodeId> inputs,
                                   std::span<const graph::NodeId> outputs,
                                   std::span<const char> steady) {
  for (auto id : inputs) {
    if (id >= g.size() || g.node(id).op != graph::Op::input)
      throw InputError("native engine: node %" + std::to_string(id) + " is not a graph input");
    input_specs_.push_back({g.node(id).dtype, g.node(id).shape});
  }
  for (auto id : outputs) {
    if (id >= g.size())
      throw InputError("native engine: output node %" + std::to_string(id) + " does not exist");
    output_specs_.push_back({g.node(id).dtype, g.node(id).shape});
  }

  const std::vector<graph::NodeId> order = graph::reachable(g, outputs);
  std::vector<std::uint32_t> slot_of(g.size(), kUnused);
  for (std::size_t i = 0; i < order.size(); ++i) slot_of[order[i]] = static_cast<std::uint32_t>(i);
  slot_count_ = order.size();

  // Every graph input the plan reads must be supplied by the caller.
  input_slots_.assign(inputs.size(), kUnused);
  for (std::size_t i = 0; i < inputs.size(); ++i) input_slots_[i] = slot_of[inputs[i]];
  for (graph::NodeId id : order)
    if (g.node(id).op == graph::Op::input &&
        std::find(inputs.begin(), inputs.end(), id) == inputs.end())
      throw InputError("native engine: graph input '" + g.node(id).attrs.name +
                       "' is needed but not supplied");

  // Liveness: the last step reading each slot; an alias (reshape) keeps its root alive. A step
  // that fused a producer reads the producer's inputs (Note [native fusion]).
  const Fusion fusion = plan_fusion(g, order, outputs);
  std::vector<std::vector<graph::NodeId>> reads(order.size());
  constexpr std::size_t kForever = SIZE_MAX;
  std::vector<std::size_t> last_use(order.size(), 0);
  std::vector<std::uint32_t> root(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const graph::Node& n = g.node(order[i]);
    root[i] = static_cast<std::uint32_t>(i);
    if (n.op == graph::Op::reshape) root[i] = root[slot_of[n.inputs[0]]];
    if (fusion.absorbed[order[i]] || fusion.follows(order[i])) continue;
    reads[i] = step_inputs(g, order[i], fusion);
    for (auto in : reads[i]) last_use[slot_of[in]] = std::max(last_use[slot_of[in]], i);
  }
  for (auto id : outputs) last_use[slot_of[id]] = kForever;

  // Note [steady inputs]: which nodes depend on steady inputs alone (and on at least one), and
  // which of them other steps read: those keep their storage from call to call.
  std::vector<char> steady_node(order.size(), 0);
  for (std::size_t k = 0; k < inputs.size() && k < steady.size(); ++k)
    if (steady[k] && input_slots_[k] != kUnused) {
      steady_node[input_slots_[k]] = 1;
      steady_inputs_.push_back({k, bytes_of(g.node(inputs[k]))});
    }
  std::vector<char> steady_step_node(order.size(), 0);
  std::vector<char> kept(order.size(), 0);  // storage of its own, never shared or released
  if (!steady_inputs_.empty()) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      const graph::Node& n = g.node(order[i]);
      if (n.op == graph::Op::reshape) {  // a view: steady with its input, but always run
        steady_node[i] = steady_node[slot_of[n.inputs[0]]];
        continue;
      }
      if (n.op == graph::Op::input || n.op == graph::Op::constant || fusion.absorbed[order[i]] ||
          fusion.follows(order[i]))
        continue;
      bool any = false, all = true;
      for (auto in : reads[i]) {
        const graph::Node& r = g.node(in);
        if (r.op == graph::Op::constant) continue;
        any = any || steady_node[slot_of[in]];
        all = all && steady_node[slot_of[in]];
      }
      if (!(any && all)) continue;
      steady_step_node[i] = 1;
      steady_node[i] = 1;
      if (const Group* gr = fusion.led_by(order[i]))
        for (graph::NodeId w : gr->writes) steady_node[slot_of[w]] = 1;
    }
    for (std::size_t i = 0; i < order.size(); ++i)
      if (!steady_step_node[i] && !fusion.absorbed[order[i]] && !fusion.follows(order[i]))
        for (auto in : reads[i])
          if (steady_node[slot_of[in]] && g.node(order[root[slot_of[in]]]).op != graph::Op::input)
            kept[root[slot_of[in]]] = 1;
    for (auto id : outputs)  // copied out on every call, so kept too
      if (steady_node[slot_of[id]] && g.node(order[root[slot_of[id]]]).op != graph::Op::input)
        kept[root[slot_of[id]]] = 1;
  }
  for (std::size_t i = 0; i < order.size(); ++i)
    if (kept[i]) last_use[i] = kForever;
  for (std::size_t i = order.size(); i-- > 0;)
    if (root[i] != i) last_use[root[i]] = std::max(last_use[root[i]], last_use[i]);

  ArenaPlanner arena, kept_arena;
  std::vector<std::size_t> offset(order.size(), 0);
  std::vector<std::vector<std::uint32_t>> dies_after(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    if (root[i] == i && last_use[i] != kForever && last_use[i] > 0)
      dies_after[last_use[i]].push_back(static_cast<std::uint32_t>(i));

  std::vector<char> in_arena(order.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const graph::Node& n = g.node(order[i]);
    const auto slot = static_cast<std::uint32_t>(i);
    if (n.op == graph::Op::constant) {
      std::vector<std::uint64_t> buf;
      switch (n.dtype) {
        case graph::DType::f64:
          fill<double>(buf, *n.attrs.data);
          break;
        case graph::DType::f32:
          fill<float>(buf, *n.attrs.data);
          break;
        case graph::DType::i64:
          fill<std::int64_t>(buf, *n.attrs.data);
          break;
        case graph::DType::boolean:
          fill<std::uint8_t>(buf, *n.attrs.data);
          break;
      }
      const_storage_.push_back(std::move(buf));
      const_slots_.emplace_back(slot, const_storage_.back().data());
    } else if (n.op != graph::Op::input && !fusion.absorbed[order[i]] &&
               !fusion.follows(order[i])) {
      Step s;
      s.out = slot;
      s.n = graph::numel(n.shape);
      for (auto in : reads[i]) s.in.push_back(slot_of[in]);
      // A step that writes several nodes gives each its storage now (Note [multi-output steps]).
      std::vector<std::size_t> writes = {i};
      if (const Group* gr = fusion.led_by(order[i]))
        for (std::size_t k = 1; k < gr->writes.size(); ++k) {
          s.also_out.push_back(slot_of[gr->writes[k]]);
          writes.push_back(slot_of[gr->writes[k]]);
        }
      if (!lower_fused(g, order[i], fusion, s)) lower(g, n, s);
      if (s.scan && s.scan->body) {  // its body's workspace gets a slot of its own (scan.cpp)
        s.p.assign(1, static_cast<std::int64_t>(slot_count_));
        bodies_.emplace_back(static_cast<std::uint32_t>(slot_count_++), s.scan->body.get());
      }
      steps_.push_back(std::move(s));
      steady_step_.push_back(steady_step_node[i]);
      if (n.op != graph::Op::reshape)
        for (std::size_t w : writes) {
          // Kept nodes go to a region of their own after the arena: memory another node
          // used earlier in the plan is written again on every call, even when they are not.
          offset[w] = kept[w] ? kept_arena.allocate(bytes_of(g.node(order[w])))
                              : arena.allocate(bytes_of(g.node(order[w])));
          in_arena[w] = 1;
          arena_slots_.push_back({static_cast<std::uint32_t>(w), offset[w]});
        }
    }
    // Storage whose last reader is this step can be reused by later steps.
    for (auto dead : dies_after[i])
      if (in_arena[dead]) arena.release(offset[dead], bytes_of(g.node(order[dead])));
  }
  for (auto& b : arena_slots_)
    if (kept[b.slot]) b.bytes += arena.size();
  arena_bytes_ = arena.size() + kept_arena.size();
  for (auto id : outputs) outputs_.push_back({slot_of[id], bytes_of(g.node(id))});
}

std::unique_ptr<Workspace> NativeExecutable::make_workspace() const {
  auto ws = std::make_unique<NativeWorkspace>();
  ws->arena.reset(static_cast<std::byte*>(
      ::operator new[](std::max(arena_bytes_, kAlign), std::align_val_t{kAlign})));
  ws->slots.assign(slot_count_, nullptr);
  for (const SteadyInput& si : steady_inputs_) ws->steady_values.emplace_back(si.bytes);
  for (const auto& [slot, ptr] : const_slots_) ws->slots[slot] = const_cast<void*>(ptr);
  for (const auto& b : arena_slots_) ws->slots[b.slot] = ws->arena.get() + b.bytes;
  for (const auto& [slot, body] : bodies_) {
    ws->bodies.push_back(body->make_workspace());
    ws->slots[slot] = slots_of(*ws->bodies.back());
  }
  return ws;
}

void** NativeExecutable::slots_of(Workspace& ws) {
  return static_cast<NativeWorkspace&>(ws).slots.data();
}

bool NativeExecutable::computes(std::size_t j) const {
  const std::uint32_t slot = outputs_[j].slot;
  return std::any_of(arena_slots_.begin(), arena_slots_.end(),
                     [&](const Bound& b) { return b.slot == slot; });
}

void NativeExecutable::run(Workspace& workspace, std::span<const void* const> inputs,
                           std::span<void* const> outputs) const {
  auto& ws = static_cast<NativeWorkspace&>(workspace);
  if (inputs.size() != input_slots_.size() || outputs.size() != outputs_.size())
    throw InputError("native engine: expected " + std::to_string(input_slots_.size()) +
                     " inputs and " + std::to_string(outputs_.size()) + " outputs, got " +
                     std::to_string(inputs.size()) + " and " + std::to_string(outputs.size()));
  void** slots = ws.slots.data();
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (input_slots_[i] != kUnused) slots[input_slots_[i]] = const_cast<void*>(inputs[i]);
  // Note [steady inputs]: skip the steady steps when no steady input changed.
  // A plan without steady steps runs every step, with no per-step test.
  bool steady_same = ws.steady_run && !steady_inputs_.empty();
  for (std::size_t k = 0; k < steady_inputs_.size(); ++k) {
    const auto& si = steady_inputs_[k];
    auto& kept = ws.steady_values[k];
    if (si.bytes && std::memcmp(kept.data(), inputs[si.input], si.bytes) != 0) {
      std::memcpy(kept.data(), inputs[si.input], si.bytes);
      steady_same = false;
    }
  }
  if (steady_same) {
    for (std::size_t k = 0; k < steps_.size(); ++k)
      if (!steady_step_[k]) steps_[k].fn(steps_[k], slots);
  } else {
    for (const Step& s : steps_) s.fn(s, slots);
    ws.steady_run = true;
  }
  for (std::size_t j = 0; j < outputs_.size(); ++j)
    if (outputs_[j].bytes) std::memcpy(outputs[j], slots[outputs_[j].slot], outputs_[j].bytes);
}

}  // namespace stochos::backends::native
