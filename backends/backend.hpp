// The backend seam (DESIGN.md §2): a Backend compiles a whole graph into an Executable, which
// maps input buffers to output buffers. Read this file in a minute; docs/backends.md walks
// through writing a new engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.hpp"

namespace stochos::backends {

// Host storage of each dtype: float64 double, float32 float, int64 int64_t, bool uint8_t (0/1);
// buffers are dense and row-major.
std::size_t element_size(graph::DType d);

struct TensorSpec {
  graph::DType dtype;
  graph::Shape shape;
};

// Per-thread scratch state of an Executable; one per calling thread.
class Workspace {
 public:
  virtual ~Workspace() = default;
};

class Executable {
 public:
  virtual ~Executable() = default;
  virtual std::unique_ptr<Workspace> make_workspace() const = 0;
  // inputs[i] holds compile's inputs[i]; outputs[j] receives compile's outputs[j]. Const and
  // thread-safe: concurrent calls each pass their own workspace.
  virtual void run(Workspace& ws, std::span<const void* const> inputs,
                   std::span<void* const> outputs) const = 0;
  const std::vector<TensorSpec>& input_specs() const { return input_specs_; }
  const std::vector<TensorSpec>& output_specs() const { return output_specs_; }

 protected:
  std::vector<TensorSpec> input_specs_, output_specs_;
};

struct CompileOptions {
  std::string device = "cpu";
  bool optimize = true;  // run rewrite::optimize before lowering
  // Per compile input (empty: none): whether it usually holds the same values from one call to
  // the next, as a discrete variable does along a NUTS trajectory. An engine may keep what
  // depends on steady inputs alone and recompute it only when their values change (Note [steady
  // inputs] in backends/native/executable.hpp); results are the same either way.
  std::vector<char> steady = {};
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual std::string version() const = 0;
  virtual std::vector<std::string> devices() const = 0;
  virtual std::vector<graph::DType> dtypes() const = 0;
  // Whether compile can lower node n of g: the whole node, not just its op, since a device's
  // kernels may exist for some dtypes or shapes only (the inputs' are g.node(n.inputs[k])'s).
  // backends::compile asks it of every node before compiling, so a gap is an InputError naming
  // the node, not a failure deep in the engine.
  virtual bool supports(const graph::Graph& g, const graph::Node& n) const = 0;
  // Lowers the part of g that `outputs` need. `inputs` lists every input node the caller will
  // supply, in call order. Throws InputError naming the op when it is not supported.
  virtual std::unique_ptr<Executable> compile(const graph::Graph& g,
                                              std::span<const graph::NodeId> inputs,
                                              std::span<const graph::NodeId> outputs,
                                              const CompileOptions& options) const = 0;
};

}  // namespace stochos::backends
