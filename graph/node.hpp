// One node of the graph: an op applied to earlier nodes, with its static dtype and shape.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/dtype.hpp"
#include "graph/op.hpp"
#include "graph/shape.hpp"

namespace stochos::graph {

using NodeId = std::uint32_t;

// Reductions over every axis carry this in place of an axis.
inline constexpr std::int64_t kAllAxes = INT64_MIN;

// Integer attributes, per op (Note [op attributes]):
//   cast                      {target dtype}
//   sum prod max min logsumexp {axis or kAllAxes, keepdims 0/1}
//   reshape broadcast_to      the target shape
//   transpose                 the permutation
//   concat cumsum             {axis}
//   slice unslice             {start, step, count} per axis of the sliced (full) tensor,
//                             normalised: element i of an axis is start + i * step
//   scatter_add               {rows of the output}
//   matmul                    {transpose_a, transpose_b}
//   trsolve                   {lower, transpose_a}: solves op(A) X = B for triangular A
//   scan                      {length, reverse 0/1}; its body is `body` (Note [scan])
// Constants carry their values in `data` (int64 and bool values are exact in a double);
// inputs carry their name.
struct ScanBody;  // graph/scan.hpp
struct Attrs {
  std::vector<std::int64_t> ints;
  std::string name;
  std::shared_ptr<const std::vector<double>> data;
  std::shared_ptr<const ScanBody> body = nullptr;  // scan's subgraph, immutable and shared
};

struct Node {
  Op op;
  DType dtype;
  Shape shape;
  std::vector<NodeId> inputs;
  Attrs attrs;
  std::size_t hash = 0;
};

}  // namespace stochos::graph
