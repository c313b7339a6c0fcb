// scan's pull-back: a scan in the opposite direction whose body is the vector-Jacobian product of
// the forward body (Note [scan] in graph/scan.hpp).
//
// Step t of the forward scan maps (carry_in[t], seq[t], consts) to (carry_out[t], out[t]). The
// cotangent of carry_out[t] is what the rest of the graph sends to row t of the stacked carries
// plus what step t+1 sends back to its carry_in; so the reverse scan carries lambda (the latter)
// from the last step to the first and, at each step, pulls lambda + G_carry[t] and G_out[t]
// back through the body to carry_in[t] (the next lambda), seq[t] (a per-step output) and the
// constants (accumulated in carries of their own). carry_in[t] is the initial carry or row t-1
// of the stacked carries the forward scan already produced, so the reverse body recomputes the
// forward body from stored carries and nothing else is kept. The reverse scan is an ordinary
// scan, so its own pull-back is this rule again: Hessians through a scan work when the body's
// rules are themselves differentiable. A body of scalar elementwise ops takes a cheaper form
// (Note [batched scan gradient] below).
#include <string>

#include "autodiff/grad.hpp"
#include "autodiff/vjp_rules.hpp"
#include "graph/error.hpp"
#include "graph/scan.hpp"

namespace stochos::autodiff::detail {

using namespace stochos::graph;

namespace {

// Columns [off, off + numel(shape)) of a packed [T, W] tensor as [T, ...shape].
Tensor column(const Tensor& packed, std::int64_t off, const Shape& shape) {
  const std::int64_t t = packed.shape()[0], w = packed.shape()[1], size = numel(shape);
  Tensor c = size == w ? packed : slice(packed, 1, off, off + size);
  Shape full = {t};
  full.insert(full.end(), shape.begin(), shape.end());
  return reshape(c, full);
}

Tensor input_of(Graph& g, const char* role, std::size_t i, DType d, const Shape& s) {
  std::string name(role);
  name.append(std::to_string(i));
  return input(g, name, d, s);
}

// The body's interface, copied out of its graph.
void interface(const ScanBody& b, std::vector<DType>& in_dtype, std::vector<Shape>& in_shape,
               std::vector<Shape>& out_shape) {
  for (NodeId id : b.inputs()) {
    in_dtype.push_back(b.graph.node(id).dtype);
    in_shape.push_back(b.graph.node(id).shape);
  }
  for (NodeId id : b.outputs) out_shape.push_back(b.graph.node(id).shape);
}

// The reverse body's inputs, shared by both forms: lambda per carry, then (general form) an
// accumulator per constant that needs one; sequences carry_in, the forward sequences and the
// cotangent rows; constants the forward ones.
struct ReverseBody {
  Graph graph;
  std::vector<Tensor> lambda, acc, ci, seq, gr, con, fwd, cot;
};

void start_reverse_body(ReverseBody& rb, const ScanBody& b, const std::vector<DType>& in_dtype,
                        const std::vector<Shape>& in_shape, const std::vector<Shape>& out_shape,
                        const std::vector<std::size_t>& accumulated) {
  const std::size_t nc = b.carries, ns = b.sequences, nk = b.constants();
  const DType dt = b.dtype();
  Graph& bg = rb.graph;
  for (std::size_t k = 0; k < nc; ++k)
    rb.lambda.push_back(input_of(bg, "lambda", k, dt, in_shape[k]));
  for (std::size_t c : accumulated)
    rb.acc.push_back(input_of(bg, "acc", c, dt, in_shape[nc + ns + c]));
  for (std::size_t k = 0; k < nc; ++k) rb.ci.push_back(input_of(bg, "carry", k, dt, in_shape[k]));
  for (std::size_t j = 0; j < ns; ++j)
    rb.seq.push_back(input_of(bg, "seq", j, in_dtype[nc + j], in_shape[nc + j]));
  for (std::size_t j = 0; j < b.outputs.size(); ++j)
    rb.gr.push_back(input_of(bg, "g", j, dt, out_shape[j]));
  for (std::size_t c = 0; c < nk; ++c)
    rb.con.push_back(input_of(bg, "const", c, in_dtype[nc + ns + c], in_shape[nc + ns + c]));
  std::vector<Tensor> args = rb.ci;
  args.insert(args.end(), rb.seq.begin(), rb.seq.end());
  args.insert(args.end(), rb.con.begin(), rb.con.end());
  rb.fwd = call_body(b, args);
  // A new carry's cotangent: what the rest of the graph sends to its row, plus lambda, what
  // the next step sends back to its carry_in.
  for (std::size_t j = 0; j < rb.fwd.size(); ++j)
    rb.cot.push_back(j < nc ? rb.lambda[j] + rb.gr[j] : rb.gr[j]);
}

// The reverse scan over the outer graph's stacked values: zeros for the carries, the sequences
// carry_in, the forward sequences and the cotangent rows, the forward constants.
ScanResult run_reverse(std::shared_ptr<const ScanBody> back, const ScanBody& b,
                       const std::vector<Tensor>& in, std::int64_t length, bool reverse,
                       const std::vector<Tensor>& carry_in, const std::vector<Tensor>& g_rows,
                       const std::vector<Shape>& init_shapes) {
  Graph& g = in.at(0).graph();
  std::vector<Tensor> init, seqs = carry_in, consts;
  for (const Shape& s : init_shapes) init.push_back(full(g, s, 0.0, b.dtype()));
  for (std::size_t j = 0; j < b.sequences; ++j) seqs.push_back(in[b.carries + j]);
  seqs.insert(seqs.end(), g_rows.begin(), g_rows.end());
  for (std::size_t c = 0; c < b.constants(); ++c) consts.push_back(in[b.carries + b.sequences + c]);
  return scan(std::move(back), init, seqs, consts, length, !reverse);
}

// The general form: the reverse scan pulls every step's cotangents back through the body to
// the carries (lambda), the constants (accumulated in carries of their own) and the sequences
// (per-step outputs).
void stepwise_pullback(const ScanBody& b, const std::vector<Tensor>& in, std::int64_t length,
                       bool reverse, const std::vector<Tensor>& carry_in,
                       const std::vector<Tensor>& g_rows, const std::vector<std::size_t>& seq_need,
                       const std::vector<std::size_t>& const_need, const std::vector<bool>& need,
                       std::vector<Tensor>& d) {
  const std::size_t nc = b.carries, ns = b.sequences;
  const DType dt = b.dtype();
  std::vector<DType> in_dtype;
  std::vector<Shape> in_shape, out_shape;
  interface(b, in_dtype, in_shape, out_shape);
  ReverseBody rb;
  start_reverse_body(rb, b, in_dtype, in_shape, out_shape, const_need);
  std::vector<Tensor> wrt = rb.ci;
  for (std::size_t j : seq_need) wrt.push_back(rb.seq[j]);
  for (std::size_t c : const_need) wrt.push_back(rb.con[c]);
  const std::vector<Tensor> grads = vjp(rb.fwd, rb.cot, wrt);

  std::vector<NodeId> outs;
  for (std::size_t k = 0; k < nc; ++k) outs.push_back(cast(grads[k], dt).id());
  for (std::size_t i = 0; i < const_need.size(); ++i)
    outs.push_back((rb.acc[i] + cast(grads[nc + seq_need.size() + i], dt)).id());
  for (std::size_t i = 0; i < seq_need.size(); ++i) outs.push_back(cast(grads[nc + i], dt).id());
  std::vector<Shape> init_shapes(in_shape.begin(),
                                 in_shape.begin() + static_cast<std::ptrdiff_t>(nc));
  for (std::size_t c : const_need) init_shapes.push_back(in_shape[nc + ns + c]);
  auto back = make_scan_body(std::move(rb.graph), std::move(outs), nc + const_need.size(),
                             nc + ns + b.outputs.size());
  const ScanResult r =
      run_reverse(std::move(back), b, in, length, reverse, carry_in, g_rows, init_shapes);

  for (std::size_t k = 0; k < nc; ++k)
    if (need[k]) d[k] = r.last[k];
  for (std::size_t i = 0; i < const_need.size(); ++i) {
    const std::size_t c = const_need[i];
    d[nc + ns + c] = cast(r.last[nc + i], in_dtype[nc + ns + c]);
  }
  for (std::size_t i = 0; i < seq_need.size(); ++i) {
    const std::size_t j = seq_need[i];
    d[nc + j] = cast(r.outputs[i], in_dtype[nc + j]);
  }
}

// Note [batched scan gradient]: for a body of scalar elementwise ops, only lambda is a
// recurrence. The reverse scan carries lambda alone and outputs each step's whole carry
// cotangent; the sequences' and constants' cotangents are then one vector-Jacobian product of
// the body called batched over every step at once (call_body_batched), where broadcasting the
// constants sums their cotangents over the steps. For GARCH(1,1) the reverse body shrinks from
// 13 nodes to 2, and the rest runs as whole-array kernels. The batched product is taken in a
// graph of its own, with the stacked carries as inputs, so that it does not differentiate back
// through the forward scan; inlined into the outer graph it is an ordinary function of them,
// which a second derivative does follow.
void batched_pullback(const ScanBody& b, const std::vector<Tensor>& in, std::int64_t length,
                      bool reverse, const std::vector<Tensor>& carry_in,
                      const std::vector<Tensor>& g_rows, const std::vector<std::size_t>& seq_need,
                      const std::vector<std::size_t>& const_need, const std::vector<bool>& need,
                      std::vector<Tensor>& d) {
  const std::size_t nc = b.carries, ns = b.sequences, nk = b.constants();
  std::vector<DType> in_dtype;
  std::vector<Shape> in_shape, out_shape;
  interface(b, in_dtype, in_shape, out_shape);

  // Each step's whole cotangent of its new carries, from a reverse scan of lambda alone.
  std::vector<Tensor> carry_cot;
  if (nc > 0) {
    ReverseBody rb;
    start_reverse_body(rb, b, in_dtype, in_shape, out_shape, {});
    const std::vector<Tensor> grads = vjp(rb.fwd, rb.cot, rb.ci);
    std::vector<NodeId> outs;
    for (std::size_t k = 0; k < nc; ++k) outs.push_back(grads[k].id());
    for (std::size_t k = 0; k < nc; ++k) outs.push_back(rb.cot[k].id());
    auto back =
        make_scan_body(std::move(rb.graph), std::move(outs), nc, nc + ns + b.outputs.size());
    const std::vector<Shape> init_shapes(in_shape.begin(),
                                         in_shape.begin() + static_cast<std::ptrdiff_t>(nc));
    const ScanResult r =
        run_reverse(std::move(back), b, in, length, reverse, carry_in, g_rows, init_shapes);
    for (std::size_t k = 0; k < nc; ++k)
      if (need[k]) d[k] = r.last[k];
    carry_cot = r.outputs;
  }
  if (seq_need.empty() && const_need.empty()) return;

  // The batched product, in a graph of its own: inputs the stacked carry_in, the sequences, the
  // constants, the stacked carry cotangents and the per-step outputs' cotangent rows.
  Graph vg;
  std::vector<Tensor> ci, seq, con, cc, go, args;
  const auto stacked = [&](const Tensor& t) { return t.shape(); };
  for (std::size_t k = 0; k < nc; ++k)
    ci.push_back(input_of(vg, "carry", k, carry_in[k].dtype(), stacked(carry_in[k])));
  for (std::size_t j = 0; j < ns; ++j)
    seq.push_back(input_of(vg, "seq", j, in[nc + j].dtype(), stacked(in[nc + j])));
  for (std::size_t c = 0; c < nk; ++c)
    con.push_back(input_of(vg, "const", c, in_dtype[nc + ns + c], in_shape[nc + ns + c]));
  for (std::size_t k = 0; k < nc; ++k)
    cc.push_back(input_of(vg, "cot", k, carry_cot[k].dtype(), stacked(carry_cot[k])));
  for (std::size_t o = nc; o < b.outputs.size(); ++o)
    go.push_back(input_of(vg, "g", o, g_rows[o].dtype(), stacked(g_rows[o])));
  args = ci;
  args.insert(args.end(), seq.begin(), seq.end());
  args.insert(args.end(), con.begin(), con.end());
  const std::vector<Tensor> fwd = call_body_batched(b, args);
  std::vector<Tensor> cot;
  for (std::size_t j = 0; j < fwd.size(); ++j) {
    const Tensor& c = j < nc ? cc[j] : go[j - nc];
    // An output no stacked argument reaches is the same at every step: its cotangents add up.
    const Shape s = fwd[j].shape();
    cot.push_back(c.shape() == s ? c : sum_to(c, s));
  }
  std::vector<Tensor> wrt;
  for (std::size_t j : seq_need) wrt.push_back(seq[j]);
  for (std::size_t c : const_need) wrt.push_back(con[c]);
  const std::vector<Tensor> grads = vjp(fwd, cot, wrt);
  std::vector<NodeId> outs;
  for (const Tensor& t : grads) outs.push_back(t.id());

  std::vector<Tensor> outer = carry_in;
  for (std::size_t j = 0; j < ns; ++j) outer.push_back(in[nc + j]);
  for (std::size_t c = 0; c < nk; ++c) outer.push_back(in[nc + ns + c]);
  outer.insert(outer.end(), carry_cot.begin(), carry_cot.end());
  for (std::size_t o = nc; o < b.outputs.size(); ++o) outer.push_back(g_rows[o]);
  const std::vector<Tensor> vals = inline_graph(vg, outs, outer);
  for (std::size_t i = 0; i < seq_need.size(); ++i) d[nc + seq_need[i]] = vals[i];
  for (std::size_t i = 0; i < const_need.size(); ++i)
    d[nc + ns + const_need[i]] = vals[seq_need.size() + i];
}

}  // namespace

std::vector<Tensor> scan_pullback(const Node& n, const std::vector<Tensor>& in, const Tensor& y,
                                  const Tensor& gy, const std::vector<bool>& need) {
  const std::shared_ptr<const ScanBody> body = n.attrs.body;
  const ScanBody& b = *body;
  const std::int64_t length = n.attrs.ints[0];
  const bool reverse = n.attrs.ints[1] != 0;
  std::vector<Tensor> d(in.size());
  if (length == 0) return d;  // no step ran: nothing reaches the inputs
  const std::size_t nc = b.carries, ns = b.sequences, nk = b.constants();

  // The body's interface, copied before any node is added (Note [node references]).
  std::vector<DType> in_dtype;
  std::vector<Shape> in_shape, out_shape;
  interface(b, in_dtype, in_shape, out_shape);
  std::vector<std::size_t> seq_need, const_need;
  for (std::size_t j = 0; j < ns; ++j)
    if (need[nc + j] && is_float(in_dtype[nc + j])) seq_need.push_back(j);
  for (std::size_t c = 0; c < nk; ++c)
    if (need[nc + ns + c] && is_float(in_dtype[nc + ns + c])) const_need.push_back(c);
  bool carry_need = false;
  for (std::size_t k = 0; k < nc; ++k) carry_need = carry_need || need[k];
  if (!carry_need && seq_need.empty() && const_need.empty()) return d;

  // What each step read as its carries: the initial carry, then the previous step's row.
  std::vector<Tensor> carry_in, g_rows;
  for (std::size_t k = 0; k < nc; ++k) {
    const Tensor stacked = column(y, b.row_offset(k), out_shape[k]);
    Shape one = {1};
    one.insert(one.end(), out_shape[k].begin(), out_shape[k].end());
    const Tensor first = reshape(in[k], one);
    if (length == 1)
      carry_in.push_back(first);
    else if (reverse)
      carry_in.push_back(concat({slice(stacked, 0, 1, length), first}));
    else
      carry_in.push_back(concat({first, slice(stacked, 0, 0, length - 1)}));
  }
  for (std::size_t j = 0; j < b.outputs.size(); ++j)
    g_rows.push_back(column(gy, b.row_offset(j), out_shape[j]));

  if (is_batchable(b))
    batched_pullback(b, in, length, reverse, carry_in, g_rows, seq_need, const_need, need, d);
  else
    stepwise_pullback(b, in, length, reverse, carry_in, g_rows, seq_need, const_need, need, d);
  return d;
}

}  // namespace stochos::autodiff::detail
