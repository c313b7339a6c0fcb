// Shape kernels: views, strided copies (broadcast_to, transpose, slice), concatenation, the
// scatter of unslice, and row gathers/scatters for integer indexing.
#include <cstring>

#include "backends/native/strided.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Op;

// A reshape moves no data: its slot aliases its input's storage (the planner keeps that
// storage alive for as long as the view is read).
void view(const Step& s, void** sl) {
  sl[s.out] = sl[s.in[0]];
}

// Copies are typed by element size only.
template <class T>
void strided_copy(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  for_each_strided<1>(
      s.p, 0, [&](std::int64_t i, const std::array<std::int64_t, 1>& o) { y[i] = x[o[0]]; });
}

// unslice: zeros, then the input written where the slice came from.
template <class T>
void unslice(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  std::memset(static_cast<void*>(y), 0, static_cast<std::size_t>(s.n) * sizeof(T));
  for_each_strided<1>(
      s.p, 0, [&](std::int64_t i, const std::array<std::int64_t, 1>& o) { y[o[0]] = x[i]; });
}

// p = {outer, inner, then each input's axis length}: output row o is the concatenation of
// each input's row o of len_k * inner elements.
template <class T>
void concat(const Step& s, void** sl) {
  const std::int64_t outer = s.p[0], inner = s.p[1];
  T* y = static_cast<T*>(sl[s.out]);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::size_t k = 0; k < s.in.size(); ++k) {
      const std::int64_t chunk = s.p[2 + k] * inner;
      const T* x = static_cast<const T*>(sl[s.in[k]]) + o * chunk;
      for (std::int64_t i = 0; i < chunk; ++i) *y++ = x[i];
    }
}

void index_error(const char* op, std::int64_t idx, std::int64_t rows) {
  throw RuntimeError(std::string(op) + ": index " + std::to_string(idx) + " is out of range for " +
                     std::to_string(rows) + " rows");
}

// p = {rows of x, inner, number of indices}. kChecked is false when the indices are constants
// the lowering has already checked, which keeps the bounds test out of the loop.
template <class T, bool kChecked>
void gather(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  const auto* idx = static_cast<const std::int64_t*>(sl[s.in[1]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t rows = s.p[0], inner = s.p[1], count = s.p[2];
  if (inner == 1) {
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t r = idx[i];
      if (kChecked && (r < 0 || r >= rows)) index_error("gather", r, rows);
      y[i] = x[r];
    }
    return;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t r = idx[i];
    if (kChecked && (r < 0 || r >= rows)) index_error("gather", r, rows);
    std::memcpy(static_cast<void*>(y + i * inner), x + r * inner,
                static_cast<std::size_t>(inner) * sizeof(T));
  }
}

// Outputs up to this many rows get split partial sums (4 x 512 x 8 bytes of stack at most).
constexpr std::int64_t kSplitRows = 512;

// p = {rows of output, inner, number of indices}
template <class T, bool kChecked>
void scatter_add(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  const auto* idx = static_cast<const std::int64_t*>(sl[s.in[1]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t rows = s.p[0], inner = s.p[1], count = s.p[2];
  for (std::int64_t i = 0; i < rows * inner; ++i) y[i] = T(0);
  if (inner == 1 && rows <= kSplitRows && count >= 4 * rows) {
    // The gradient of a[group] over few groups: four partial sums on the stack, so that adds to
    // one group in nearby iterations do not wait on each other's stores.
    T part[4][kSplitRows] = {};
    std::int64_t i = 0;
    for (; i + 4 <= count; i += 4)
      for (std::int64_t k = 0; k < 4; ++k) {
        const std::int64_t r = idx[i + k];
        if (kChecked && (r < 0 || r >= rows)) index_error("scatter_add", r, rows);
        part[k][r] += x[i + k];
      }
    for (; i < count; ++i) {
      const std::int64_t r = idx[i];
      if (kChecked && (r < 0 || r >= rows)) index_error("scatter_add", r, rows);
      part[0][r] += x[i];
    }
    for (std::int64_t r = 0; r < rows; ++r)
      y[r] = (part[0][r] + part[1][r]) + (part[2][r] + part[3][r]);
    return;
  }
  if (inner == 1) {  // one value per index, a tight loop
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t r = idx[i];
      if (kChecked && (r < 0 || r >= rows)) index_error("scatter_add", r, rows);
      y[r] += x[i];
    }
    return;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t r = idx[i];
    if (kChecked && (r < 0 || r >= rows)) index_error("scatter_add", r, rows);
    for (std::int64_t j = 0; j < inner; ++j) y[r * inner + j] += x[i * inner + j];
  }
}

template <template <class> class K>
Step::Fn by_size(DType d) {
  switch (d) {
    case DType::f64:
    case DType::i64:
      return &K<std::uint64_t>::run;
    case DType::f32:
      return &K<std::uint32_t>::run;
    case DType::boolean:
      return &K<std::uint8_t>::run;
  }
  return nullptr;
}
template <class T>
struct StridedCopy {
  static void run(const Step& s, void** sl) { strided_copy<T>(s, sl); }
};
template <class T>
struct Unslice {
  static void run(const Step& s, void** sl) { unslice<T>(s, sl); }
};
template <class T>
struct Concat {
  static void run(const Step& s, void** sl) { concat<T>(s, sl); }
};
template <class T>
struct Gather {
  static void run(const Step& s, void** sl) { gather<T, true>(s, sl); }
};
template <class T>
struct GatherUnchecked {
  static void run(const Step& s, void** sl) { gather<T, false>(s, sl); }
};

// True when `idx` is a constant index array, after checking every index against `rows`: an
// index out of range is then an error of the graph, found when it is compiled.
bool constant_indices_checked(const graph::Graph& g, graph::NodeId idx, std::int64_t rows,
                              const char* op) {
  if (!g.is_constant(idx)) return false;
  for (double v : *g.node(idx).attrs.data) {
    const auto r = static_cast<std::int64_t>(v);
    if (r < 0 || r >= rows)
      throw InputError(std::string(op) + ": index " + std::to_string(r) + " is out of range for " +
                       std::to_string(rows) + " rows");
  }
  return true;
}

template <class T>
Step::Fn scatter_fn(bool checked) {
  return checked ? &scatter_add<T, true> : &scatter_add<T, false>;
}

// The view of a slice: element i of axis k at start_k + i * step_k.
Strides slice_view(const graph::Shape& full, const std::vector<std::int64_t>& triples) {
  const graph::Shape st = graph::row_major_strides(full);
  Strides v;
  v.strides.resize(full.size());
  for (std::size_t k = 0; k < full.size(); ++k) {
    v.base += triples[3 * k] * st[k];
    v.strides[k] = triples[3 * k + 1] * st[k];
  }
  return v;
}

}  // namespace

void lower_shape(const graph::Graph& g, const graph::Node& n, Step& s) {
  const graph::Node& x = g.node(n.inputs[0]);
  switch (n.op) {
    case Op::reshape:
      s.fn = &view;
      return;
    case Op::broadcast_to:
      pack_strided(s.p, n.shape, {broadcast_strides(n.shape, x.shape)});
      s.fn = by_size<StridedCopy>(n.dtype);
      return;
    case Op::transpose: {
      const graph::Shape st = graph::row_major_strides(x.shape);
      Strides v;
      for (auto a : n.attrs.ints) v.strides.push_back(st[static_cast<std::size_t>(a)]);
      pack_strided(s.p, n.shape, {v});
      s.fn = by_size<StridedCopy>(n.dtype);
      return;
    }
    case Op::slice:
      pack_strided(s.p, n.shape, {slice_view(x.shape, n.attrs.ints)});
      s.fn = by_size<StridedCopy>(n.dtype);
      return;
    case Op::unslice: {
      const std::vector<std::int64_t> triples(
          n.attrs.ints.begin(),
          n.attrs.ints.begin() + static_cast<std::ptrdiff_t>(3 * x.shape.size()));
      pack_strided(s.p, x.shape, {slice_view(n.shape, triples)});
      s.fn = by_size<Unslice>(n.dtype);
      return;
    }
    case Op::concat: {
      const auto axis = static_cast<std::size_t>(n.attrs.ints[0]);
      std::int64_t outer = 1, inner = 1;
      for (std::size_t k = 0; k < axis; ++k) outer *= n.shape[k];
      for (std::size_t k = axis + 1; k < n.shape.size(); ++k) inner *= n.shape[k];
      s.p = {outer, inner};
      for (auto id : n.inputs) s.p.push_back(g.node(id).shape[axis]);
      s.fn = by_size<Concat>(n.dtype);
      return;
    }
    case Op::gather: {
      const std::int64_t rows = x.shape[0];
      s.p = {rows, rows ? graph::numel(x.shape) / rows : 0,
             graph::numel(g.node(n.inputs[1]).shape)};
      const bool checked = !constant_indices_checked(g, n.inputs[1], rows, "gather");
      s.fn = checked ? by_size<Gather>(n.dtype) : by_size<GatherUnchecked>(n.dtype);
      return;
    }
    case Op::scatter_add: {
      const std::int64_t rows = n.shape[0];
      s.p = {rows, rows ? graph::numel(n.shape) / rows : 0,
             graph::numel(g.node(n.inputs[1]).shape)};
      const bool checked = !constant_indices_checked(g, n.inputs[1], rows, "scatter_add");
      switch (n.dtype) {
        case DType::f64:
          s.fn = scatter_fn<double>(checked);
          return;
        case DType::f32:
          s.fn = scatter_fn<float>(checked);
          return;
        case DType::i64:
          s.fn = scatter_fn<std::int64_t>(checked);
          return;
        case DType::boolean:
          break;
      }
      break;
    }
    case Op::cumsum:  // a reduction-shaped loop: lower() sends it to lower_reduce
#define STOCHOS_SHAPE_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(n.dtype)));
}

}  // namespace stochos::backends::native
