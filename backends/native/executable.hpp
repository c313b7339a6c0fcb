// A compiled native plan (Note [native plan] in step.hpp).
#pragma once

#include <memory>
#include <vector>

#include "backends/backend.hpp"
#include "backends/native/step.hpp"

namespace stochos::backends::native {

class NativeExecutable final : public Executable {
 public:
  NativeExecutable(const graph::Graph& g, std::span<const graph::NodeId> inputs,
                   std::span<const graph::NodeId> outputs);

  std::unique_ptr<Workspace> make_workspace() const override;
  void run(Workspace& ws, std::span<const void* const> inputs,
           std::span<void* const> outputs) const override;

  std::size_t arena_bytes() const { return arena_bytes_; }
  std::size_t step_count() const { return steps_.size(); }

 private:
  struct Bound {
    std::uint32_t slot;
    std::size_t bytes;  // outputs: bytes to copy out; arena slots: offset
  };

  std::vector<Step> steps_;
  std::size_t slot_count_ = 0;
  std::vector<std::uint32_t> input_slots_;  // per compile input; kUnused when the plan ignores it
  std::vector<Bound> outputs_;
  std::vector<Bound> arena_slots_;
  std::vector<std::pair<std::uint32_t, const void*>> const_slots_;
  std::vector<std::vector<std::uint64_t>> const_storage_;  // 8-byte aligned constant buffers
  std::size_t arena_bytes_ = 0;
};

inline constexpr std::uint32_t kUnused = 0xffffffffu;

}  // namespace stochos::backends::native
