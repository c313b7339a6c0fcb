// scan: a body subgraph applied along a leading axis with carried state, the graph's one loop.
//
// Note [scan]
// ~~~~~~~~~~~
// A scan node holds its body as an immutable ScanBody shared by pointer (Attrs::body): a Graph of
// its own whose inputs are, in this order, the carries, one row of each sequence and the
// constants, and whose outputs are the new carries, then the per-step outputs. The node's inputs
// are the initial carries, the whole sequences ([length, ...row]) and the constants; its ints are
// {length, reverse}. Step t (t = 0 .. length-1, or length-1 .. 0 when reversed) reads row t of
// every sequence and writes row t of the result.
//
// Every node has one value, so the scan's value packs everything a step produces into one array
// [length, W] of the body's one output dtype: row t is the new carries after step t, then the
// step's outputs, each flattened, in order (W is the sum of their sizes). scan() slices it back
// into stacked tensors; the rest of the graph, gradients included, sees ordinary slices. The
// stacked carries are what the reverse pass needs, so the forward scan keeps nothing else.
//
// Lags are the caller's: a recurrence reading y[t-1] passes the slice y[:-1] as a sequence (and
// the scan runs over 1..T-1), so the op itself reads sequences at t only.
//
// Nodes compare by body structure (same_body), so CSE shares two scans only when their bodies
// compute the same thing. Passes rewrite a body like any graph (rewrite/driver.cpp), folding
// unrolls a small scan of constants (fold_scan), the gradient is a reverse scan whose body is the
// body's vector-Jacobian product (autodiff/scan_vjp.cpp), and engines run the body's own plan
// once per step (backends/native/scan.cpp, backends/torch/kernels_scan.cpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "graph/tensor.hpp"

namespace stochos::graph {

struct ScanBody {
  Graph graph;                  // its inputs are graph.inputs(): carries, sequence rows, constants
  std::vector<NodeId> outputs;  // new carries, then per-step outputs
  std::size_t carries = 0;
  std::size_t sequences = 0;
  std::size_t hash = 0;  // structural: equal bodies hash alike

  const std::vector<NodeId>& inputs() const { return graph.inputs(); }
  std::size_t constants() const { return inputs().size() - carries - sequences; }
  std::size_t step_outputs() const { return outputs.size() - carries; }
  DType dtype() const { return graph.node(outputs.at(0)).dtype; }
  // W: the elements of one packed row, and where output j starts in it.
  std::int64_t row_size() const;
  std::int64_t row_offset(std::size_t j) const;
};

// Checks and seals a body: every carry output has its carry input's dtype and shape, every output
// has one dtype, there is at least one output. Throws GraphError saying which does not fit.
std::shared_ptr<const ScanBody> make_scan_body(Graph graph, std::vector<NodeId> outputs,
                                               std::size_t carries, std::size_t sequences);

// True when a and b compute the same function (node for node, input names aside).
bool same_body(const ScanBody& a, const ScanBody& b);

struct ScanResult {
  Tensor packed;  // the scan node itself, [length, W] (Note [scan]); a constant if it folded
  std::vector<Tensor> carries;  // carries[k][t]: carry k after step t, [length, ...]
  std::vector<Tensor> outputs;  // outputs[j][t]: per-step output j of step t, [length, ...]
  std::vector<Tensor> last;     // the carries after the last step (the initial ones if length 0)
};

// The scan of `body`. The length comes from the sequences' leading axis (which must agree) or,
// with no sequences, from `length`, which is then required.
ScanResult scan(std::shared_ptr<const ScanBody> body, std::span<const Tensor> init,
                std::span<const Tensor> sequences, std::span<const Tensor> constants,
                std::optional<std::int64_t> length = std::nullopt, bool reverse = false);

// Writing a body with a lambda: `a` holds the body's input tensors (in the body's own graph,
// shaped like the initial carries, one row of each sequence and the constants); return the new
// carries and the per-step outputs. A tensor of the outer graph is used through a.capture(x),
// which makes it one more constant of the body (after `constants`), passed in by the scan; using
// an outer tensor directly is a GraphError.
struct ScanArgs {
  Graph& graph;
  std::vector<Tensor> carries, sequences, constants;
  Tensor capture(const Tensor& outer) const;  // the same body tensor for the same outer one
  std::shared_ptr<std::vector<std::pair<Tensor, Tensor>>> captured =
      std::make_shared<std::vector<std::pair<Tensor, Tensor>>>();  // (outer, body)
};
struct ScanStep {
  std::vector<Tensor> carries, outputs;
};
using ScanFn = std::function<ScanStep(const ScanArgs&)>;

// Traces fn into a body for carries, sequence rows and constants of these dtypes and shapes;
// `captured` lists the outer tensors fn captured, the body's last constants.
struct TracedBody {
  std::shared_ptr<const ScanBody> body;
  std::vector<Tensor> captured;
};
TracedBody trace_scan_body(const ScanFn& fn, std::span<const std::pair<DType, Shape>> carries,
                           std::span<const std::pair<DType, Shape>> rows,
                           std::span<const std::pair<DType, Shape>> constants);

ScanResult scan(const ScanFn& fn, std::span<const Tensor> init, std::span<const Tensor> sequences,
                std::span<const Tensor> constants,
                std::optional<std::int64_t> length = std::nullopt, bool reverse = false);

// The body's outputs computed in the graph of `args` from args (carries, sequence rows,
// constants): the body inlined once. Used to unroll, fold and differentiate a scan.
std::vector<Tensor> call_body(const ScanBody& body, std::span<const Tensor> args);
// What `outputs` need of src, inlined into the graph of args (src's inputs, in order).
std::vector<Tensor> inline_graph(const Graph& src, std::span<const NodeId> outputs,
                                 std::span<const Tensor> args);
// A body of scalars and elementwise ops only (GARCH, ARMA, a one-dimensional Kalman filter) is
// the same function of stacked arguments: called with carries and sequences stacked ([length])
// and constants as they are, broadcasting computes every step at once (a batched call, for the
// gradient's sums over steps, autodiff/scan_vjp.cpp). An output no stacked argument reaches
// keeps its scalar shape.
bool is_batchable(const ScanBody& body);
std::vector<Tensor> call_body_batched(const ScanBody& body, std::span<const Tensor> args);

// Shape rule (shape_rules.cpp) and constant folding (fold.cpp) of a scan node.
void infer_scan(const Graph& g, Node& n);
std::optional<std::vector<double>> fold_scan(const Graph& g, const Node& n);

}  // namespace stochos::graph
