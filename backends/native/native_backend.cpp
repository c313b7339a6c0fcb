#include "backends/native/native_backend.hpp"

#include "backends/native/executable.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

class NativeBackend final : public Backend {
 public:
  std::string name() const override { return "native"; }
  std::string version() const override { return "0.1.0"; }
  std::vector<std::string> devices() const override { return {"cpu"}; }
  std::vector<graph::DType> dtypes() const override {
    return {graph::DType::f64, graph::DType::f32, graph::DType::i64, graph::DType::boolean};
  }
  // lower.cpp has a kernel for every node the shape rules accept.
  bool supports(const graph::Graph&, const graph::Node&) const override { return true; }
  std::unique_ptr<Executable> compile(const graph::Graph& g, std::span<const graph::NodeId> inputs,
                                      std::span<const graph::NodeId> outputs,
                                      const CompileOptions& options) const override {
    if (options.device != "cpu")
      throw InputError("native engine: unknown device '" + options.device +
                       "'; valid devices: cpu");
    return std::make_unique<NativeExecutable>(g, inputs, outputs, options.steady);
  }
};

}  // namespace

std::unique_ptr<Backend> make_backend() {
  return std::make_unique<NativeBackend>();
}

}  // namespace stochos::backends::native
