// One step of a native plan: a kernel over whole arrays, its operand slots and the parameters
// worked out at compile time (Note [native plan]).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "graph/graph.hpp"

namespace stochos::backends::native {

// Note [native plan]: every node the outputs need gets a slot; a workspace holds one data
// pointer per slot. Constant slots point into the executable, input slots at the caller's
// buffers (set per call), reshape slots alias their input (a view step), and every other slot
// points into the workspace's arena at an offset fixed by the planner, reusing memory whose
// last reader has run. A kernel reads and writes only through the slot pointers.
// A scan step runs its body's own plan, whose workspace lives beside the outer one
// (Note [native scan] in scan.cpp).
struct ScanPlan;  // scan.hpp
struct Step {
  using Fn = void (*)(const Step&, void** slots);
  Fn fn = nullptr;
  std::uint32_t out = 0;
  std::vector<std::uint32_t> in;
  std::vector<std::uint32_t> also_out;  // further nodes it writes (Note [multi-output steps])
  std::int64_t n = 0;                   // elements of the output
  std::vector<std::int64_t> p;          // kernel parameters (shapes, strides, flags), per family
  // A scan's compiled body; p[0] is then the slot holding the body's per-workspace slots.
  std::shared_ptr<const ScanPlan> scan = nullptr;
};

// Storage types of each dtype (backends/backend.hpp).
template <graph::DType D>
struct Storage;
template <>
struct Storage<graph::DType::f64> {
  using type = double;
};
template <>
struct Storage<graph::DType::f32> {
  using type = float;
};
template <>
struct Storage<graph::DType::i64> {
  using type = std::int64_t;
};
template <>
struct Storage<graph::DType::boolean> {
  using type = std::uint8_t;
};

// Lowering by op family: each fills s.fn and s.p for node n (the slots are already set).
void lower_elementwise(const graph::Graph& g, const graph::Node& n, Step& s);
void lower_reduce(const graph::Graph& g, const graph::Node& n, Step& s);
void lower_shape(const graph::Graph& g, const graph::Node& n, Step& s);
void lower_linalg(const graph::Graph& g, const graph::Node& n, Step& s);
void lower_scan(const graph::Graph& g, const graph::Node& n, Step& s);

// Strided iteration shared by broadcasting, transposes and slices: for every element i of an
// output of `shape` (row-major), calls f(i, off_0, ..., off_k) where off_j = base_j + sum over
// axes of index * strides_j[axis]. The innermost axis runs as a plain loop.
inline constexpr int kMaxRank = 16;

}  // namespace stochos::backends::native
