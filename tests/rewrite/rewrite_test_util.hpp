// Helpers for the rewrite tests: counting ops in a rewritten graph, and running a graph before
// and after a pass on the native engine.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "backends/registry.hpp"
#include "graph/tensor.hpp"
#include "rewrite/rewrite.hpp"
#include "support/evaluate.hpp"

namespace stochos::rewrite::test {

using graph::DType;
using graph::Graph;
using graph::NodeId;
using graph::Op;
using graph::Tensor;
using testing::Values;

using Pass = Rewritten (*)(const Graph&, std::span<const NodeId>);

inline const backends::Backend& native() {
  return backends::get_backend("native");
}

// Which nodes of g the outputs need.
inline std::vector<bool> needed(const Graph& g, std::span<const NodeId> outputs) {
  std::vector<bool> live(g.size(), false);
  for (NodeId o : outputs) live[o] = true;
  for (std::size_t id = g.size(); id-- > 0;)
    if (live[id])
      for (NodeId i : g.node(static_cast<NodeId>(id)).inputs) live[i] = true;
  return live;
}

// How many nodes with op `op` the outputs of r need.
inline int count(const Rewritten& r, Op op) {
  const auto live = needed(*r.graph, r.outputs);
  int k = 0;
  for (std::size_t id = 0; id < r.graph->size(); ++id)
    k += live[id] && r.graph->node(static_cast<NodeId>(id)).op == op;
  return k;
}

// How many nodes the outputs need, not counting inputs (which every pass keeps).
inline int live_size(const Graph& g, std::span<const NodeId> outputs) {
  const auto live = needed(g, outputs);
  int k = 0;
  for (std::size_t id = 0; id < g.size(); ++id)
    k += live[id] && g.node(static_cast<NodeId>(id)).op != Op::input;
  return k;
}
inline int live_size(const Rewritten& r) {
  return live_size(*r.graph, r.outputs);
}

inline Rewritten run_pass(Pass pass, const std::vector<Tensor>& outputs) {
  std::vector<NodeId> ids;
  for (const auto& t : outputs) ids.push_back(t.id());
  return pass(outputs.at(0).graph(), ids);
}

// The source graph's outputs on the native engine, without rewrites.
inline std::vector<Values> before(const std::vector<Tensor>& inputs,
                                  const std::vector<Values>& values,
                                  const std::vector<Tensor>& outputs) {
  return testing::evaluate(native(), inputs, values, outputs, /*optimize=*/false);
}

// The rewritten graph's outputs, fed the values of the source inputs `inputs` (found in r by
// their position among the source graph's inputs).
inline std::vector<Values> after(const Rewritten& r, const std::vector<Tensor>& inputs,
                                 const std::vector<Values>& values) {
  std::vector<Tensor> ins, outs;
  for (const auto& t : inputs) {
    const auto& all = t.graph().inputs();
    const auto pos = std::find(all.begin(), all.end(), t.id()) - all.begin();
    ins.emplace_back(*r.graph, r.inputs.at(static_cast<std::size_t>(pos)));
  }
  for (NodeId o : r.outputs) outs.emplace_back(*r.graph, o);
  return testing::evaluate(native(), ins, values, outs, /*optimize=*/false);
}

// Equal, both NaN, or within `rel` of each other relative to the larger magnitude.
inline bool close(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

inline void expect_close(const std::vector<Values>& want, const std::vector<Values>& got,
                         double rel) {
  ASSERT_EQ(want.size(), got.size());
  for (std::size_t j = 0; j < want.size(); ++j) {
    ASSERT_EQ(want[j].size(), got[j].size()) << "output " << j;
    for (std::size_t i = 0; i < want[j].size(); ++i)
      EXPECT_PRED3(close, want[j][i], got[j][i], rel) << "output " << j << ", element " << i;
  }
}

// Runs source and rewrite at the given values and expects the same results.
inline void expect_preserved(const Rewritten& r, const std::vector<Tensor>& inputs,
                             const std::vector<Values>& values, const std::vector<Tensor>& outputs,
                             double rel = 0) {
  // The rewrite must describe the same outputs as the source.
  ASSERT_EQ(r.outputs.size(), outputs.size());
  for (std::size_t j = 0; j < outputs.size(); ++j) {
    EXPECT_EQ(r.graph->node(r.outputs[j]).dtype, outputs[j].dtype()) << "output " << j;
    EXPECT_EQ(r.graph->node(r.outputs[j]).shape, outputs[j].shape()) << "output " << j;
  }
  expect_close(before(inputs, values, outputs), after(r, inputs, values), rel);
}

}  // namespace stochos::rewrite::test
