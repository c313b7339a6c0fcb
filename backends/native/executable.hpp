// A compiled native plan (Note [native plan] in step.hpp).
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "backends/backend.hpp"
#include "backends/native/step.hpp"

namespace stochos::backends::native {

// Note [steady inputs]: the steps that depend on steady inputs (CompileOptions::steady) alone —
// a discrete variable's support checks, its casts and masks — are run only when those inputs'
// values differ from the previous call's on the same workspace, which keeps a copy of them. The
// nodes such steps leave for the other steps keep their storage across calls; their interior
// nodes share the arena as usual, since all of them run again together. Views always run, so a
// view never holds a stale input pointer.
class NativeExecutable final : public Executable {
 public:
  NativeExecutable(const graph::Graph& g, std::span<const graph::NodeId> inputs,
                   std::span<const graph::NodeId> outputs, std::span<const char> steady = {});

  std::unique_ptr<Workspace> make_workspace() const override;
  void run(Workspace& ws, std::span<const void* const> inputs,
           std::span<void* const> outputs) const override;

  std::size_t arena_bytes() const { return arena_bytes_; }
  std::size_t step_count() const { return steps_.size(); }
  // Steps skipped while the steady inputs keep their values.
  std::size_t steady_step_count() const {
    return static_cast<std::size_t>(std::count(steady_step_.begin(), steady_step_.end(), 1));
  }

  // For a scan running this plan as its body, step after step in one workspace (scan.cpp): the
  // workspace's slot array, the plan's steps alone (no binding, no copying out), and where the
  // inputs and outputs live. An output it `computes` is written by a step of its own into its
  // slot, so pointing that slot elsewhere before the steps run moves the result there.
  static void** slots_of(Workspace& ws);
  void run_steps(void** slots) const {
    for (const Step& s : steps_) s.fn(s, slots);
  }
  std::uint32_t input_slot(std::size_t i) const { return input_slots_[i]; }
  std::uint32_t output_slot(std::size_t j) const { return outputs_[j].slot; }
  bool computes(std::size_t j) const;

 private:
  struct Bound {
    std::uint32_t slot;
    std::size_t bytes;  // outputs: bytes to copy out; arena slots: offset
  };

  std::vector<Step> steps_;
  std::vector<char> steady_step_;  // per step: depends on steady inputs alone
  struct SteadyInput {
    std::size_t input;  // its index among the compile inputs
    std::size_t bytes;
  };
  std::vector<SteadyInput> steady_inputs_;
  std::size_t slot_count_ = 0;
  std::vector<std::uint32_t> input_slots_;  // per compile input; kUnused when the plan ignores it
  std::vector<Bound> outputs_;
  std::vector<Bound> arena_slots_;
  std::vector<std::pair<std::uint32_t, const void*>> const_slots_;
  std::vector<std::vector<std::uint64_t>> const_storage_;  // 8-byte aligned constant buffers
  std::size_t arena_bytes_ = 0;
  // Per scan step: the slot that holds its body's slot array, and the body's plan.
  std::vector<std::pair<std::uint32_t, const NativeExecutable*>> bodies_;
};

inline constexpr std::uint32_t kUnused = 0xffffffffu;

}  // namespace stochos::backends::native
