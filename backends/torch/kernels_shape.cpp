// Shape kernels: views where ATen has them (reshape, broadcast_to, transpose, slices with
// positive steps), copies otherwise; gathers and scatter-adds check their indices as native's
// do, raising RuntimeError naming the op, the index and the row count.
#include <optional>

#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

using graph::DType;
using graph::Node;
using graph::Op;

namespace {

// The first index outside [0, rows), if any (read on the host: the slow path of an error, or
// the check of a device that cannot raise one itself).
std::optional<std::int64_t> first_bad_index(const ::at::Tensor& idx, std::int64_t rows) {
  const ::at::Tensor host = idx.to(::at::kCPU).contiguous();
  const auto* p = host.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < host.numel(); ++i)
    if (p[i] < 0 || p[i] >= rows) return p[i];
  return std::nullopt;
}

// Runs an indexing op, turning an index out of range into native's RuntimeError. On the CPU
// ATen checks every index itself; other devices would assert on the device, so the indices are
// checked on the host first.
template <class F>
::at::Tensor indexed(const char* op, const ::at::Tensor& idx, std::int64_t rows, const F& f) {
  if (!idx.device().is_cpu()) {
    if (const auto bad = first_bad_index(idx, rows))
      throw RuntimeError(index_message(op, *bad, rows));
    return f();
  }
  try {
    return f();
  } catch (const ::c10::Error&) {
    if (const auto bad = first_bad_index(idx, rows))
      throw RuntimeError(index_message(op, *bad, rows));
    throw;
  }
}

// slice: element i of axis k is start_k + i * step_k. Positive steps are views; an axis with a
// negative step is sliced forwards over the same elements, then flipped.
::at::Tensor slice_view(const ::at::Tensor& x, const std::vector<std::int64_t>& t,
                        std::vector<std::int64_t>* flips) {
  ::at::Tensor v = x;
  for (std::size_t k = 0; k * 3 < t.size(); ++k) {
    const std::int64_t start = t[3 * k], step = t[3 * k + 1], count = t[3 * k + 2];
    const auto dim = static_cast<std::int64_t>(k);
    if (count == 0) {
      v = v.slice(dim, 0, 0);
    } else if (step > 0) {
      v = v.slice(dim, start, start + (count - 1) * step + 1, step);
    } else {
      const std::int64_t first = start + (count - 1) * step;
      v = v.slice(dim, first, start + 1, -step);
      flips->push_back(dim);
    }
  }
  return v;
}

}  // namespace

Step lower_shape(const graph::Graph& g, const Node& n) {
  const Node& x0 = g.node(n.inputs[0]);
  const std::vector<std::int64_t> out = sizes(n.shape);
  const auto& ints = n.attrs.ints;
  switch (n.op) {
    case Op::reshape:
      return {STOCHOS_FN1(x.reshape(out)), nullptr, true};
    case Op::broadcast_to:
      return {STOCHOS_FN1(x.expand(out)), nullptr, true};  // a stride-0 view
    case Op::transpose:
      return {STOCHOS_FN1(x.permute(ints)), nullptr, true};
    case Op::concat: {
      const std::size_t count = n.inputs.size();
      const std::int64_t axis = ints[0];
      auto parts = [count](Args a) {
        std::vector<::at::Tensor> p(count);
        for (std::size_t k = 0; k < count; ++k) p[k] = *a[k];
        return p;
      };
      return {[=](Args a) { return ::at::cat(parts(a), axis); },
              [=](Args a, ::at::Tensor& o) { ::at::cat_out(o, parts(a), axis); }};
    }
    case Op::slice: {
      bool flips = false;
      for (std::size_t k = 0; k < x0.shape.size(); ++k)
        flips = flips || (ints[3 * k + 1] < 0 && ints[3 * k + 2] > 0);
      if (!flips) {
        return {[=](Args a) {
                  std::vector<std::int64_t> f;
                  return slice_view(*a[0], ints, &f);
                },
                nullptr, true};
      }
      return {[=](Args a) {
        std::vector<std::int64_t> f;
        const ::at::Tensor v = slice_view(*a[0], ints, &f);
        return ::at::flip(v, f);
      }};
    }
    case Op::unslice: {
      // ints: the slice triples, then the full shape (= the output's).
      const std::vector<std::int64_t> triples(ints.begin(), ints.begin() + 3 * x0.shape.size());
      auto fill = [triples](const ::at::Tensor& x, ::at::Tensor& y) {
        y.zero_();
        std::vector<std::int64_t> f;
        ::at::Tensor view = slice_view(y, triples, &f);
        view.copy_(f.empty() ? x : ::at::flip(x, f));
      };
      return {[=](Args a) {
                ::at::Tensor y = ::at::empty(out, a[0]->options());
                fill(*a[0], y);
                return y;
              },
              [=](Args a, ::at::Tensor& o) { fill(*a[0], o); }};
    }
    case Op::gather: {
      const std::int64_t rows = x0.shape[0];
      std::vector<std::int64_t> flat = {graph::numel(g.node(n.inputs[1]).shape)};
      flat.insert(flat.end(), x0.shape.begin() + 1, x0.shape.end());
      return {[=](Args a) {
                const ::at::Tensor idx = a[1]->reshape(-1);
                return indexed("gather", idx, rows,
                               [&] { return ::at::index_select(*a[0], 0, idx).reshape(out); });
              },
              [=](Args a, ::at::Tensor& o) {
                const ::at::Tensor idx = a[1]->reshape(-1);
                ::at::Tensor rows_view = o.view(flat);
                indexed("gather", idx, rows,
                        [&] { return ::at::index_select_out(rows_view, *a[0], 0, idx); });
              }};
    }
    case Op::scatter_add: {
      if (n.dtype == DType::boolean) no_kernel(n, n.dtype);
      const std::int64_t rows = n.shape[0];
      std::vector<std::int64_t> src = {graph::numel(g.node(n.inputs[1]).shape)};
      src.insert(src.end(), out.begin() + 1, out.end());
      return {[=](Args a) {
                const ::at::Tensor idx = a[1]->reshape(-1);
                return indexed("scatter_add", idx, rows, [&] {
                  return ::at::index_add(::at::zeros(out, a[0]->options()), 0, idx,
                                         a[0]->reshape(src));
                });
              },
              [=](Args a, ::at::Tensor& o) {
                const ::at::Tensor idx = a[1]->reshape(-1);
                o.zero_();
                indexed("scatter_add", idx, rows,
                        [&] { return o.index_add_(0, idx, a[0]->reshape(src)); });
              }};
    }
    case Op::cumsum: {
      if (n.dtype == DType::boolean) no_kernel(n, n.dtype);
      const std::int64_t axis = ints[0];
      return {STOCHOS_FN1(::at::cumsum(x, axis)), STOCHOS_INTO1(::at::cumsum_out(o, x, axis))};
    }
#define STOCHOS_SHAPE_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    break;
  }
  no_kernel(n, n.dtype);
}

}  // namespace stochos::backends::torch
