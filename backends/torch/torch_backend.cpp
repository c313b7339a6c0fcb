// The libtorch engine: its Backend, registered as "torch" through its module
// (engine_module.cpp), and torch's own reverse mode for comparison. The plan is built in
// executable.cpp from the steps of lower.cpp and kernels_*.cpp (Note [torch plan] in step.hpp).
// This folder's files are the only ones of the tree that include a torch header, and they
// include ATen alone (not <torch/torch.h>, three times slower to compile).
//
// Note [torch threads]
// ~~~~~~~~~~~~~~~~~~~~
// The first compile sets ATen's intra-op thread count to 1 unless OMP_NUM_THREADS is set (then
// libtorch's own reading of it stands). The samplers already run one chain per core, each
// calling its executable from its own thread; with libtorch's default (one OpenMP team of
// #physical-cores threads per calling thread, for ops above 32k elements) k chains would start
// k teams and oversubscribe the machine, with GOMP's spinning idle workers taking cycles from
// the other chains. One thread per evaluation is also what the native engine does, so the two
// are compared like for like. Measured on the 2-vCPU development machine (one physical core,
// so libtorch's default is already 1): logistic regression N = 100 000, D = 50 at 1 and 2
// intra-op threads, with 1 and 2 calling threads, showed no gain from the second intra-op
// thread (9.6 vs 9.9 ms CPU per evaluation); a single-chain run on a large machine can raise
// it with OMP_NUM_THREADS.
#include "backends/torch/torch_backend.hpp"

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "backends/torch/executable.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::torch {
namespace {

using graph::DType;
using graph::Node;
using graph::NodeId;
using graph::Op;

// Note [torch threads].
void configure_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!std::getenv("OMP_NUM_THREADS")) ::at::set_num_threads(1);
  });
}

class TorchBackend final : public Backend {
 public:
  std::string name() const override { return "torch"; }
  std::string version() const override {
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
  }
  std::vector<std::string> devices() const override { return torch_devices(); }
  std::vector<DType> dtypes() const override {
    return {DType::f64, DType::f32, DType::i64, DType::boolean};
  }
  // lower.cpp has a kernel for every node the shape rules accept.
  bool supports(const graph::Graph&, const Node&) const override { return true; }
  std::unique_ptr<Executable> compile(const graph::Graph& g, std::span<const NodeId> inputs,
                                      std::span<const NodeId> outputs,
                                      const CompileOptions& options) const override {
    configure_threads();
    return std::make_unique<TorchExecutable>(g, inputs, outputs, std::span<const NodeId>{}, options,
                                             false);
  }
};

}  // namespace

std::unique_ptr<Backend> make_backend() {
  return std::make_unique<TorchBackend>();
}

std::unique_ptr<Executable> compile_autograd(const graph::Graph& g, std::span<const NodeId> inputs,
                                             NodeId value, std::span<const NodeId> wrt,
                                             const CompileOptions& options) {
  if (value >= g.size() || !g.node(value).shape.empty() || !graph::is_float(g.node(value).dtype))
    throw InputError("torch engine: autograd needs a float scalar to differentiate");
  configure_threads();
  const NodeId outputs[] = {value};
  return std::make_unique<TorchExecutable>(g, inputs, outputs, wrt, options, true);
}

}  // namespace stochos::backends::torch
