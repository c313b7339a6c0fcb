// A compiled torch plan (Note [torch plan] in step.hpp).
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

// The devices this libtorch build can run on: cpu, then cuda:N for each GPU.
std::vector<std::string> torch_devices();

struct TorchWorkspace;

class TorchExecutable final : public Executable {
 public:
  // Forward mode: `outputs` as given. Autograd mode (wrt non-empty): outputs[0] is the scalar
  // whose gradient torch's reverse mode computes for each wrt.
  TorchExecutable(const graph::Graph& g, std::span<const graph::NodeId> inputs,
                  std::span<const graph::NodeId> outputs, std::span<const graph::NodeId> wrt,
                  const CompileOptions& options, bool autograd);
  std::unique_ptr<Workspace> make_workspace() const override;
  void run(Workspace& workspace, std::span<const void* const> inputs,
           std::span<void* const> outputs) const override;

 private:
  struct Instr {
    Fn fn;
    OutFn into;
    std::int32_t buffer = -1;  // >= 0: `into` writes this workspace buffer; else `fn` runs
    std::uint32_t out = 0;
    std::vector<std::uint32_t> in;
    std::vector<std::uint32_t> release;  // slots whose last reader this is
  };
  struct BufferSpec {
    std::vector<std::int64_t> sizes;
    ::at::ScalarType type;
  };
  struct Binding {
    std::uint32_t slot = kNone;
    std::vector<std::int64_t> sizes;
    ::at::ScalarType type = ::at::kDouble;
    std::size_t bytes = 0;
  };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  void bind_inputs(TorchWorkspace& ws, std::span<const void* const> inputs) const;
  void execute(TorchWorkspace& ws) const;
  static void copy_out(const ::at::Tensor& r, const Binding& b, void* dst);
  void run_autograd(TorchWorkspace& ws, std::span<const void* const> inputs,
                    std::span<void* const> outputs) const;
  void clear(TorchWorkspace& ws) const;

  ::at::Device device_;
  bool autograd_ = false;
  std::vector<Instr> code_;
  std::size_t slot_count_ = 0, max_arity_ = 0;
  std::vector<std::pair<std::uint32_t, ::at::Tensor>> constants_;
  std::vector<BufferSpec> buffers_;
  std::vector<Binding> inputs_, outputs_;
  std::vector<std::size_t> wrt_;  // per gradient output: the compile input it is taken for
};

}  // namespace stochos::backends::torch
