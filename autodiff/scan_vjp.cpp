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
// rules are themselves differentiable.
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

}  // namespace

std::vector<Tensor> scan_pullback(const Node& n, const std::vector<Tensor>& in, const Tensor& y,
                                  const Tensor& gy, const std::vector<bool>& need) {
  const std::shared_ptr<const ScanBody> body = n.attrs.body;
  const ScanBody& b = *body;
  const std::int64_t length = n.attrs.ints[0];
  const bool reverse = n.attrs.ints[1] != 0;
  std::vector<Tensor> d(in.size());
  if (length == 0) return d;  // no step ran: nothing reaches the inputs
  const std::size_t nc = b.carries, ns = b.sequences, nk = b.constants(), nj = b.step_outputs();
  const DType dt = b.dtype();

  // The body's interface, copied before any node is added (Note [node references]).
  std::vector<DType> in_dtype;
  std::vector<Shape> in_shape, out_shape;
  for (NodeId id : b.inputs()) {
    in_dtype.push_back(b.graph.node(id).dtype);
    in_shape.push_back(b.graph.node(id).shape);
  }
  for (NodeId id : b.outputs) out_shape.push_back(b.graph.node(id).shape);
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

  // The reverse body. Carries: lambda per carry, an accumulator per constant that needs one.
  // Sequences: carry_in, the forward sequences, the cotangent rows. Constants: the forward ones.
  Graph bg;
  std::vector<Tensor> lambda, acc, ci, seq, gr, con;
  for (std::size_t k = 0; k < nc; ++k) lambda.push_back(input_of(bg, "lambda", k, dt, in_shape[k]));
  for (std::size_t c : const_need) acc.push_back(input_of(bg, "acc", c, dt, in_shape[nc + ns + c]));
  for (std::size_t k = 0; k < nc; ++k) ci.push_back(input_of(bg, "carry", k, dt, in_shape[k]));
  for (std::size_t j = 0; j < ns; ++j)
    seq.push_back(input_of(bg, "seq", j, in_dtype[nc + j], in_shape[nc + j]));
  for (std::size_t j = 0; j < b.outputs.size(); ++j)
    gr.push_back(input_of(bg, "g", j, dt, out_shape[j]));
  for (std::size_t c = 0; c < nk; ++c)
    con.push_back(input_of(bg, "const", c, in_dtype[nc + ns + c], in_shape[nc + ns + c]));

  std::vector<Tensor> args = ci;
  args.insert(args.end(), seq.begin(), seq.end());
  args.insert(args.end(), con.begin(), con.end());
  const std::vector<Tensor> fwd = call_body(b, args);
  std::vector<Tensor> cot;
  for (std::size_t j = 0; j < fwd.size(); ++j) cot.push_back(j < nc ? lambda[j] + gr[j] : gr[j]);
  std::vector<Tensor> wrt = ci;
  for (std::size_t j : seq_need) wrt.push_back(seq[j]);
  for (std::size_t c : const_need) wrt.push_back(con[c]);
  const std::vector<Tensor> grads = vjp(fwd, cot, wrt);

  std::vector<NodeId> outs;
  for (std::size_t k = 0; k < nc; ++k) outs.push_back(cast(grads[k], dt).id());
  for (std::size_t i = 0; i < const_need.size(); ++i)
    outs.push_back((acc[i] + cast(grads[nc + seq_need.size() + i], dt)).id());
  for (std::size_t i = 0; i < seq_need.size(); ++i) outs.push_back(cast(grads[nc + i], dt).id());
  const std::size_t back_carries = nc + const_need.size();
  auto back = make_scan_body(std::move(bg), std::move(outs), back_carries, 2 * nc + ns + nj);

  Graph& g = y.graph();
  std::vector<Tensor> init, seqs = carry_in, consts;
  for (std::size_t k = 0; k < nc; ++k) init.push_back(full(g, in_shape[k], 0.0, dt));
  for (std::size_t c : const_need) init.push_back(full(g, in_shape[nc + ns + c], 0.0, dt));
  for (std::size_t j = 0; j < ns; ++j) seqs.push_back(in[nc + j]);
  seqs.insert(seqs.end(), g_rows.begin(), g_rows.end());
  for (std::size_t c = 0; c < nk; ++c) consts.push_back(in[nc + ns + c]);
  const ScanResult r = scan(std::move(back), init, seqs, consts, length, !reverse);

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
  return d;
}

}  // namespace stochos::autodiff::detail
