// Shape and dtype rules, one case per op (Note [op attributes] in node.hpp).
#include <algorithm>
#include <numeric>

#include "graph/error.hpp"
#include "graph/graph.hpp"
#include "graph/scan.hpp"

namespace stochos::graph {
namespace {

struct Ctx {
  const Graph& g;
  Node& n;

  const Node& in(std::size_t i) const { return g.node(n.inputs[i]); }

  [[noreturn]] void fail(const std::string& why) const {
    std::string msg = std::string(op_name(n.op)) + ": " + why + " (inputs:";
    for (std::size_t i = 0; i < n.inputs.size(); ++i)
      msg += std::string(i ? ", " : " ") + std::string(dtype_name(in(i).dtype)) +
             shape_str(in(i).shape);
    throw GraphError(msg + ")");
  }

  void arity(std::size_t k) const {
    if (n.inputs.size() != k)
      fail("expects " + std::to_string(k) + " inputs, got " + std::to_string(n.inputs.size()));
  }
  void nints(std::size_t k) const {
    if (n.attrs.ints.size() != k)
      fail("expects " + std::to_string(k) + " integer attributes, got " +
           std::to_string(n.attrs.ints.size()));
  }
  void want_float(std::size_t i) const {
    if (!is_float(in(i).dtype)) fail("input " + std::to_string(i) + " must be float32 or float64");
  }
  void want_bool(std::size_t i) const {
    if (in(i).dtype != DType::boolean) fail("input " + std::to_string(i) + " must be bool");
  }
  void want_numeric(std::size_t i) const {
    if (in(i).dtype == DType::boolean) fail("input " + std::to_string(i) + " must not be bool");
  }
  void same_dtype(std::size_t i, std::size_t j) const {
    if (in(i).dtype != in(j).dtype) fail("inputs must share one dtype");
  }
  Shape broadcast(std::size_t i, std::size_t j) const {
    auto s = broadcast_shapes(in(i).shape, in(j).shape);
    if (!s) fail("shapes do not broadcast");
    return *s;
  }
  int axis(std::int64_t a, std::size_t rank) const {
    auto ax = normalize_axis(a, rank);
    if (!ax)
      fail("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    return *ax;
  }
  void want_matrix(std::size_t i) const {
    if (in(i).shape.size() != 2) fail("input " + std::to_string(i) + " must be a matrix");
  }
  void want_shape(const std::vector<std::int64_t>& s) const {
    for (auto d : s)
      if (d < 0) fail("negative dimension in target shape " + shape_str(s));
  }
};

void reduce_rule(Ctx& c) {
  c.arity(1);
  c.nints(2);
  const Node& x = c.in(0);
  if (c.n.op == Op::logsumexp)
    c.want_float(0);
  else
    c.want_numeric(0);
  c.n.dtype = x.dtype;
  const bool keep = c.n.attrs.ints[1] != 0;
  if (c.n.attrs.ints[0] == kAllAxes) {
    c.n.shape = keep ? Shape(x.shape.size(), 1) : Shape{};
    return;
  }
  const int ax = c.axis(c.n.attrs.ints[0], x.shape.size());
  c.n.attrs.ints[0] = ax;
  if ((c.n.op == Op::max || c.n.op == Op::min) && x.shape[ax] == 0)
    c.fail("cannot take the " + std::string(op_name(c.n.op)) + " of an empty axis");
  c.n.shape = x.shape;
  if (keep)
    c.n.shape[ax] = 1;
  else
    c.n.shape.erase(c.n.shape.begin() + ax);
}

void slice_rule(Ctx& c, const Shape& full) {
  const auto& a = c.n.attrs.ints;
  if (a.size() != 3 * full.size()) c.fail("expects a {start, step, count} triple per axis");
  for (std::size_t k = 0; k < full.size(); ++k) {
    const auto start = a[3 * k], step = a[3 * k + 1], count = a[3 * k + 2];
    if (step == 0) c.fail("slice step must not be zero");
    if (count < 0) c.fail("negative slice length");
    if (count > 0) {
      const auto last = start + (count - 1) * step;
      if (start < 0 || start >= full[k] || last < 0 || last >= full[k])
        c.fail("slice on axis " + std::to_string(k) + " leaves the array");
    }
  }
}

}  // namespace

void infer(const Graph& g, Node& n) {
  Ctx c{g, n};
  auto& ints = n.attrs.ints;
  switch (n.op) {
    case Op::constant:
    case Op::input:
      return;  // set by Graph::constant / Graph::input

    case Op::neg:
    case Op::abs:
    case Op::sign:
    case Op::square:
      c.arity(1);
      c.want_numeric(0);
      n.dtype = c.in(0).dtype;
      n.shape = c.in(0).shape;
      return;

#define STOCHOS_UNARY_OP(name)
#define STOCHOS_FLOAT_UNARY_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      c.arity(1);
      c.want_float(0);
      n.dtype = c.in(0).dtype;
      n.shape = c.in(0).shape;
      return;

    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::maximum:
    case Op::minimum:
      c.arity(2);
      c.want_numeric(0);
      c.same_dtype(0, 1);
      n.dtype = c.in(0).dtype;
      n.shape = c.broadcast(0, 1);
      return;

    case Op::div:
    case Op::pow:
      c.arity(2);
      c.want_float(0);
      c.same_dtype(0, 1);
      n.dtype = c.in(0).dtype;
      n.shape = c.broadcast(0, 1);
      return;

    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
    case Op::equal:
    case Op::not_equal:
      c.arity(2);
      c.same_dtype(0, 1);
      n.dtype = DType::boolean;
      n.shape = c.broadcast(0, 1);
      return;

    case Op::logical_and:
    case Op::logical_or:
      c.arity(2);
      c.want_bool(0);
      c.want_bool(1);
      n.dtype = DType::boolean;
      n.shape = c.broadcast(0, 1);
      return;

    case Op::logical_not:
      c.arity(1);
      c.want_bool(0);
      n.dtype = DType::boolean;
      n.shape = c.in(0).shape;
      return;

    case Op::where: {
      c.arity(3);
      c.want_bool(0);
      c.same_dtype(1, 2);
      auto s = broadcast_shapes(c.in(0).shape, c.broadcast(1, 2));
      if (!s) c.fail("shapes do not broadcast");
      n.dtype = c.in(1).dtype;
      n.shape = *s;
      return;
    }

    case Op::cast:
      c.arity(1);
      c.nints(1);
      if (ints[0] < 0 || ints[0] > static_cast<std::int64_t>(DType::boolean))
        c.fail("unknown target dtype");
      n.dtype = static_cast<DType>(ints[0]);
      n.shape = c.in(0).shape;
      return;

    case Op::sum:
    case Op::prod:
    case Op::max:
    case Op::min:
    case Op::logsumexp:
      reduce_rule(c);
      return;

    case Op::reshape:
      c.arity(1);
      c.want_shape(ints);
      if (numel(ints) != numel(c.in(0).shape)) c.fail("cannot reshape to " + shape_str(ints));
      n.dtype = c.in(0).dtype;
      n.shape = ints;
      return;

    case Op::broadcast_to: {
      c.arity(1);
      c.want_shape(ints);
      auto s = broadcast_shapes(c.in(0).shape, ints);
      if (!s || *s != ints) c.fail("cannot broadcast to " + shape_str(ints));
      n.dtype = c.in(0).dtype;
      n.shape = ints;
      return;
    }

    case Op::transpose: {
      c.arity(1);
      const Shape& s = c.in(0).shape;
      if (ints.size() != s.size()) c.fail("permutation must name every axis");
      std::vector<std::int64_t> sorted = ints;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<std::int64_t>(i)) c.fail("invalid permutation");
      n.dtype = c.in(0).dtype;
      n.shape.resize(s.size());
      for (std::size_t i = 0; i < s.size(); ++i) n.shape[i] = s[ints[i]];
      return;
    }

    case Op::concat: {
      if (n.inputs.empty()) c.fail("needs at least one input");
      c.nints(1);
      const Shape& s0 = c.in(0).shape;
      if (s0.empty()) c.fail("cannot concatenate scalars");
      const int ax = c.axis(ints[0], s0.size());
      ints[0] = ax;
      n.shape = s0;
      n.dtype = c.in(0).dtype;
      for (std::size_t i = 1; i < n.inputs.size(); ++i) {
        c.same_dtype(0, i);
        const Shape& si = c.in(i).shape;
        if (si.size() != s0.size()) c.fail("inputs must share one rank");
        for (std::size_t k = 0; k < s0.size(); ++k)
          if (static_cast<int>(k) != ax && si[k] != s0[k])
            c.fail("shapes differ off the concatenation axis");
        n.shape[ax] += si[ax];
      }
      return;
    }

    case Op::slice: {
      c.arity(1);
      const Shape& full = c.in(0).shape;
      slice_rule(c, full);
      n.dtype = c.in(0).dtype;
      n.shape.resize(full.size());
      for (std::size_t k = 0; k < full.size(); ++k) n.shape[k] = ints[3 * k + 2];
      return;
    }

    case Op::unslice: {
      // ints: the slice triples followed by the full shape.
      c.arity(1);
      const std::size_t r = c.in(0).shape.size();
      if (ints.size() != 4 * r) c.fail("expects slice triples and the full shape");
      Shape full(ints.end() - static_cast<std::ptrdiff_t>(r), ints.end());
      c.want_shape(full);
      std::vector<std::int64_t> triples(ints.begin(),
                                        ints.begin() + static_cast<std::ptrdiff_t>(3 * r));
      std::swap(ints, triples);
      slice_rule(c, full);
      std::swap(ints, triples);
      for (std::size_t k = 0; k < r; ++k)
        if (ints[3 * k + 2] != c.in(0).shape[k]) c.fail("slice lengths do not match the input");
      n.dtype = c.in(0).dtype;
      n.shape = full;
      return;
    }

    case Op::gather: {
      c.arity(2);
      const Shape& x = c.in(0).shape;
      if (x.empty()) c.fail("cannot index a scalar");
      if (c.in(1).dtype != DType::i64) c.fail("indices must be int64");
      n.dtype = c.in(0).dtype;
      n.shape = c.in(1).shape;
      n.shape.insert(n.shape.end(), x.begin() + 1, x.end());
      if (g.is_constant(n.inputs[1]))
        for (double v : *c.in(1).attrs.data)
          if (v < 0 || v >= static_cast<double>(x[0]))
            c.fail("index " + std::to_string(static_cast<std::int64_t>(v)) +
                   " is out of range for a dimension of " + std::to_string(x[0]));
      return;
    }

    case Op::scatter_add: {
      c.arity(2);
      c.nints(1);
      c.want_numeric(0);
      if (c.in(1).dtype != DType::i64) c.fail("indices must be int64");
      const Shape& gs = c.in(0).shape;
      const Shape& is = c.in(1).shape;
      if (gs.size() < is.size() || !std::equal(is.begin(), is.end(), gs.begin()))
        c.fail("values must start with the indices' shape");
      if (ints[0] < 0) c.fail("negative row count");
      n.dtype = c.in(0).dtype;
      n.shape = {ints[0]};
      n.shape.insert(n.shape.end(), gs.begin() + static_cast<std::ptrdiff_t>(is.size()), gs.end());
      return;
    }

    case Op::cumsum:
      c.arity(1);
      c.nints(1);
      c.want_numeric(0);
      ints[0] = c.axis(ints[0], c.in(0).shape.size());
      n.dtype = c.in(0).dtype;
      n.shape = c.in(0).shape;
      return;

    case Op::matmul: {
      c.arity(2);
      c.nints(2);
      c.want_float(0);
      c.same_dtype(0, 1);
      c.want_matrix(0);
      c.want_matrix(1);
      const Shape& a = c.in(0).shape;
      const Shape& b = c.in(1).shape;
      const auto m = ints[0] ? a[1] : a[0], ka = ints[0] ? a[0] : a[1];
      const auto kb = ints[1] ? b[1] : b[0], p = ints[1] ? b[0] : b[1];
      if (ka != kb) c.fail("inner dimensions differ");
      n.dtype = c.in(0).dtype;
      n.shape = {m, p};
      return;
    }

    case Op::diag_part:
      c.arity(1);
      c.want_matrix(0);
      n.dtype = c.in(0).dtype;
      n.shape = {std::min(c.in(0).shape[0], c.in(0).shape[1])};
      return;

    case Op::diag_embed:
      c.arity(1);
      if (c.in(0).shape.size() != 1) c.fail("input must be a vector");
      n.dtype = c.in(0).dtype;
      n.shape = {c.in(0).shape[0], c.in(0).shape[0]};
      return;

    case Op::cholesky:
      c.arity(1);
      c.want_float(0);
      c.want_matrix(0);
      if (c.in(0).shape[0] != c.in(0).shape[1]) c.fail("matrix must be square");
      n.dtype = c.in(0).dtype;
      n.shape = c.in(0).shape;
      return;

    case Op::trsolve:
      c.arity(2);
      c.nints(2);
      c.want_float(0);
      c.same_dtype(0, 1);
      c.want_matrix(0);
      c.want_matrix(1);
      if (c.in(0).shape[0] != c.in(0).shape[1]) c.fail("triangular matrix must be square");
      if (c.in(1).shape[0] != c.in(0).shape[0])
        c.fail("right-hand side rows differ from the matrix");
      n.dtype = c.in(0).dtype;
      n.shape = c.in(1).shape;
      return;

    case Op::scan:
      infer_scan(g, n);  // graph/scan.cpp: the body's rules (Note [scan])
      return;
  }
}

}  // namespace stochos::graph
