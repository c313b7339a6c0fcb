// The one seam every sampler uses (DESIGN.md §1): theta -> (log p, grad log p) over the packed
// unconstrained vector, compiled once by a backend and called from several threads, each with
// its own workspace, allocating nothing per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"

namespace stochos::model {

// Note [packed parameter layout]: the samplers see one flat unconstrained vector, the free
// variables in declaration order, each flattened row-major in its unconstrained shape under its
// transform's value name. For eight schools it is theta = [mu, tau_log__, theta_z[0], ...,
// theta_z[J-1]], length J + 2, with tau = exp(tau_log__) (PyMC's log transform and name).

// Where each free variable lives in the packed vector, with PyMC's names.
struct VarSlot {
  std::string name;        // "tau"
  std::string value_name;  // "tau_log__"
  std::string transform;   // "log", or "" for none
  std::int64_t offset = 0, size = 0;
  graph::Shape shape, unconstrained_shape;
  // Note [discrete slots]: a discrete free variable's integer values sit in the packed vector as
  // doubles; the compiled functions read them as int64 and the log density has no gradient in
  // them (zeros there). Gradient methods move the other slots only (infer/compound.hpp).
  bool discrete = false;
};

struct Layout {
  std::vector<VarSlot> vars;
  std::int64_t dim = 0;
  const VarSlot& find(const std::string& name) const;  // by name or value name
  bool has_discrete() const;
};

// Points an executable's first inputs at a packed vector's slots: float64 slots as views into
// it, float32 and discrete (int64) slots through converted copies kept here. One per thread.
class SlotInputs {
 public:
  SlotInputs(const Layout& layout, graph::DType floatx);
  void bind(const Layout& layout, const double* theta, std::vector<const void*>& in);

 private:
  graph::DType floatx_;
  std::vector<float> f32_;
  std::vector<std::int64_t> i64_;
};

// Per-call choices; the engine and device default to the configuration (SPEC.md §1.4).
struct CompileOptions {
  std::optional<std::string> backend = std::nullopt;
  std::optional<std::string> device = std::nullopt;
  bool jacobian = true;  // include the log-Jacobians of the transforms (what samplers need)
  bool optimize = true;  // run the rewrites
};

// The engine and its compile options for these per-call choices, the rest from the configuration.
struct Engine {
  const backends::Backend* backend;
  backends::CompileOptions options;
};
Engine engine_for(const CompileOptions& o);

class DensityWorkspace {
 public:
  std::unique_ptr<backends::Workspace> engine;
  std::unique_ptr<SlotInputs> slots;
  std::vector<const void*> in;
  std::vector<void*> out;
  std::vector<float> grad32;  // float32 models: the gradient converted
};

class LogDensity {
 public:
  std::int64_t dim() const { return layout_.dim; }
  const Layout& layout() const { return layout_; }
  const std::string& backend_name() const { return backend_; }
  graph::DType floatx() const { return floatx_; }  // the model's float type (float32: coarser f)
  std::unique_ptr<DensityWorkspace> make_workspace() const;
  // Writes dim() gradient entries (zero at discrete slots) and returns log p. Thread-safe with one
  // workspace per thread.
  double operator()(DensityWorkspace& ws, const double* theta, double* grad) const;
  // Replaces a data container's values (same number of elements); not while calls run.
  void set_data(const std::string& name, const std::vector<double>& values);
  // For a density that is one part of the whole (one shard's rows, mpi/shard.hpp): after every
  // evaluation, `reduce` turns this part's log p and gradient into the whole's, in place. It is
  // called once per evaluation, on the evaluating thread.
  using Reduce = std::function<void(double& logp, double* grad, std::int64_t dim)>;
  void set_reduce(Reduce reduce) { reduce_ = std::move(reduce); }

 private:
  friend class Model;
  struct DataBuffer {
    std::string name;
    graph::DType dtype;
    std::int64_t size = 0;
    std::vector<std::uint64_t> storage;  // 8-byte aligned, dtype-typed
  };
  std::shared_ptr<const backends::Executable> exe_;
  std::string backend_;
  graph::DType floatx_ = graph::DType::f64;
  Layout layout_;
  std::vector<DataBuffer> data_;
  Reduce reduce_ = nullptr;
};

// Methods that move every coordinate along a gradient (optimisation, ADVI, Pathfinder) cannot
// handle discrete variables: an InputError naming them and saying what can.
void refuse_discrete(const Layout& layout, const std::string& method);

// Values as a buffer of `dtype` (float64, float32, int64, bool), 8-byte aligned.
std::vector<std::uint64_t> typed_buffer(graph::DType dtype, const std::vector<double>& values);
// A data container's values are read at run time, where a NaN would make the log density NaN:
// an InputError naming the element. Only observe()'s values may have missing entries.
void refuse_missing(const std::string& name, const std::vector<double>& values);

}  // namespace stochos::model
