// The scan op's graph side (Note [scan] in scan.hpp): building and comparing bodies, the node's
// shape rule, inlining a body, folding, and the C++ API that slices the packed result.
#include "graph/scan.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "graph/error.hpp"
#include "graph/print.hpp"

namespace stochos::graph {
namespace {

void mix(std::size_t& h, std::size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

std::string spec(DType d, const Shape& s) {
  return std::string(dtype_name(d)) + shape_str(s);
}

std::string spec(const Node& n) {
  return spec(n.dtype, n.shape);
}

// "carry 0", "sequence 1", "constant 2": body input i by its role.
std::string input_role(const ScanBody& b, std::size_t i) {
  if (i < b.carries) return "carry " + std::to_string(i);
  if (i < b.carries + b.sequences) return "sequence " + std::to_string(i - b.carries);
  return "constant " + std::to_string(i - b.carries - b.sequences);
}

std::size_t body_hash(const ScanBody& b) {
  std::size_t h = b.carries * 31 + b.sequences;
  for (NodeId id = 0; id < b.graph.size(); ++id) {
    const Node& n = b.graph.node(id);
    mix(h, n.hash);
    mix(h, static_cast<std::size_t>(n.dtype));
    for (auto d : n.shape) mix(h, static_cast<std::size_t>(d));
  }
  for (NodeId o : b.outputs) mix(h, o);
  return h;
}

bool same_data(const Node& a, const Node& b) {
  if (a.attrs.data == b.attrs.data) return true;
  if (!a.attrs.data || !b.attrs.data) return false;
  const auto& x = *a.attrs.data;
  const auto& y = *b.attrs.data;
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [](double p, double q) { return std::memcmp(&p, &q, sizeof p) == 0; });
}

// Packed column [off, off + size) of a [length, W] tensor, as [length, ...shape].
Tensor column(const Tensor& packed, std::int64_t off, const Shape& shape) {
  const std::int64_t size = numel(shape);
  const std::int64_t length = packed.shape()[0];
  const std::int64_t width = packed.shape()[1];
  Tensor c = size == width ? packed : slice(packed, 1, off, off + size);
  Shape full = {length};
  full.insert(full.end(), shape.begin(), shape.end());
  return reshape(c, full);
}

}  // namespace

std::int64_t ScanBody::row_size() const {
  return row_offset(outputs.size());
}

std::int64_t ScanBody::row_offset(std::size_t j) const {
  std::int64_t off = 0;
  for (std::size_t k = 0; k < j; ++k) off += numel(graph.node(outputs[k]).shape);
  return off;
}

std::shared_ptr<const ScanBody> make_scan_body(Graph graph, std::vector<NodeId> outputs,
                                               std::size_t carries, std::size_t sequences) {
  auto b = std::make_shared<ScanBody>();
  b->graph = std::move(graph);
  b->outputs = std::move(outputs);
  b->carries = carries;
  b->sequences = sequences;
  const auto& in = b->graph.inputs();
  if (carries + sequences > in.size())
    throw GraphError("scan body: " + std::to_string(carries) + " carries and " +
                     std::to_string(sequences) + " sequences, but the body has only " +
                     std::to_string(in.size()) + " inputs");
  if (b->outputs.empty()) throw GraphError("scan body: needs at least one output");
  if (b->outputs.size() < carries)
    throw GraphError("scan body: returns " + std::to_string(b->outputs.size()) + " outputs for " +
                     std::to_string(carries) + " carries");
  for (NodeId o : b->outputs)
    if (o >= b->graph.size()) throw GraphError("scan body: output node does not exist");
  for (std::size_t k = 0; k < carries; ++k) {
    const Node& i = b->graph.node(in[k]);
    const Node& o = b->graph.node(b->outputs[k]);
    if (i.dtype != o.dtype || i.shape != o.shape)
      throw GraphError("scan body: carry " + std::to_string(k) + " comes in as " + spec(i) +
                       " but the body returns " + spec(o) +
                       "; a carry keeps its dtype and shape from step to step");
  }
  const DType d = b->dtype();
  for (std::size_t j = 0; j < b->outputs.size(); ++j) {
    const Node& o = b->graph.node(b->outputs[j]);
    if (o.dtype != d)
      throw GraphError("scan body: output " + std::to_string(j) + " is " + spec(o) +
                       " but output 0 is " + std::string(dtype_name(d)) +
                       "; every carry and per-step output of a scan shares one dtype");
  }
  b->hash = body_hash(*b);
  return b;
}

bool same_body(const ScanBody& a, const ScanBody& b) {
  if (&a == &b) return true;
  if (a.hash != b.hash || a.carries != b.carries || a.sequences != b.sequences ||
      a.outputs != b.outputs || a.graph.size() != b.graph.size() || a.inputs() != b.inputs())
    return false;
  for (NodeId id = 0; id < a.graph.size(); ++id) {
    const Node& x = a.graph.node(id);
    const Node& y = b.graph.node(id);
    if (x.op != y.op || x.dtype != y.dtype || x.shape != y.shape || x.inputs != y.inputs ||
        x.attrs.ints != y.attrs.ints || !same_data(x, y))
      return false;
    if (x.attrs.body != y.attrs.body &&
        (!x.attrs.body || !y.attrs.body || !same_body(*x.attrs.body, *y.attrs.body)))
      return false;
  }
  return true;
}

void infer_scan(const Graph& g, Node& n) {
  const auto fail = [&](const std::string& why) {
    std::string msg = "scan: " + why + " (inputs:";
    for (std::size_t i = 0; i < n.inputs.size(); ++i)
      msg += std::string(i ? ", " : " ") + spec(g.node(n.inputs[i]));
    throw GraphError(msg + ")");
  };
  if (!n.attrs.body) fail("needs a body");
  const ScanBody& b = *n.attrs.body;
  if (n.attrs.ints.size() != 2) fail("expects the integer attributes {length, reverse}");
  const std::int64_t length = n.attrs.ints[0];
  if (length < 0) fail("the length must not be negative, got " + std::to_string(length));
  if (n.attrs.ints[1] != 0 && n.attrs.ints[1] != 1) fail("reverse must be 0 or 1");
  const auto& bin = b.inputs();
  if (n.inputs.size() != bin.size())
    fail("the body takes " + std::to_string(b.carries) + " carries, " +
         std::to_string(b.sequences) + " sequences and " + std::to_string(b.constants()) +
         " constants, but the scan has " + std::to_string(n.inputs.size()) + " inputs");
  for (std::size_t i = 0; i < bin.size(); ++i) {
    const Node& x = g.node(n.inputs[i]);
    const Node& want = b.graph.node(bin[i]);
    const bool seq = i >= b.carries && i < b.carries + b.sequences;
    if (!seq) {
      if (x.dtype != want.dtype || x.shape != want.shape)
        fail(input_role(b, i) + " is " + spec(x) + " but the body expects " + spec(want));
      continue;
    }
    if (x.shape.empty() || x.shape[0] != length)
      fail(input_role(b, i) + " is " + spec(x) + ": every sequence needs a leading axis of the " +
           "scan's length " + std::to_string(length));
    const Shape row(x.shape.begin() + 1, x.shape.end());
    if (x.dtype != want.dtype || row != want.shape)
      fail(input_role(b, i) + " has rows " + spec(x.dtype, row) + " but the body expects " +
           spec(want));
  }
  n.dtype = b.dtype();
  n.shape = {length, b.row_size()};
}

namespace {

// Copies what `outputs` need of src into the graph of args, src's inputs (in order) standing for
// args. Exact: each arg has its input's dtype and shape; otherwise only its dtype (a batched
// call, where broadcasting gives every node its stacked shape).
std::vector<Tensor> replay(const Graph& src, std::span<const NodeId> outputs,
                           std::span<const Tensor> args, bool exact,
                           const std::function<std::string(std::size_t)>& role) {
  const auto& ins = src.inputs();
  if (args.size() != ins.size())
    throw GraphError("scan body: called with " + std::to_string(args.size()) + " arguments for " +
                     std::to_string(ins.size()) + " inputs");
  if (args.empty()) throw GraphError("scan body: a call needs at least one argument");
  Graph& g = args[0].graph();
  std::vector<NodeId> map(src.size(), 0);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Node& want = src.node(ins[i]);
    if (&args[i].graph() != &g) throw GraphError("scan body: arguments of different graphs");
    if (args[i].dtype() != want.dtype || (exact && args[i].shape() != want.shape))
      throw GraphError("scan body: " + role(i) + " is " + spec(args[i].dtype(), args[i].shape()) +
                       " but the body expects " + spec(want));
    map[ins[i]] = args[i].id();
  }
  const std::vector<NodeId> needed = reachable(src, outputs);
  for (NodeId id : needed) {
    const Node& n = src.node(id);
    if (n.op == Op::input) continue;
    if (n.op == Op::constant) {
      map[id] = g.constant(n.dtype, n.shape, *n.attrs.data);
      continue;
    }
    std::vector<NodeId> in;
    in.reserve(n.inputs.size());
    for (NodeId i : n.inputs) in.push_back(map[i]);
    map[id] = g.add(n.op, std::move(in), n.attrs.ints, n.attrs.body);
  }
  std::vector<Tensor> out;
  for (NodeId o : outputs) out.emplace_back(g, map[o]);
  return out;
}

}  // namespace

std::vector<Tensor> call_body(const ScanBody& body, std::span<const Tensor> args) {
  return replay(body.graph, body.outputs, args, true,
                [&](std::size_t i) { return input_role(body, i); });
}

std::vector<Tensor> inline_graph(const Graph& src, std::span<const NodeId> outputs,
                                 std::span<const Tensor> args) {
  return replay(src, outputs, args, true,
                [](std::size_t i) { return "input " + std::to_string(i); });
}

bool is_batchable(const ScanBody& body) {
  for (NodeId id : body.inputs())
    if (!body.graph.node(id).shape.empty()) return false;
  for (NodeId id : reachable(body.graph, body.outputs)) {
    const Node& n = body.graph.node(id);
    if (!n.shape.empty()) return false;
    if (n.op != Op::input && n.op != Op::constant && !is_elementwise(n.op)) return false;
  }
  return true;
}

std::vector<Tensor> call_body_batched(const ScanBody& body, std::span<const Tensor> args) {
  if (!is_batchable(body))
    throw GraphError("scan body: only a body of scalar elementwise ops can be called batched");
  return replay(body.graph, body.outputs, args, false,
                [&](std::size_t i) { return input_role(body, i); });
}

// Unrolls the scan over constants in a scratch graph, where every body node folds as it is
// added; gives up (nothing) on a body node that does not fold or a scan too long to unroll.
std::optional<std::vector<double>> fold_scan(const Graph& g, const Node& n) {
  constexpr std::int64_t kMaxUnrolledNodes = std::int64_t{1} << 16;
  const ScanBody& b = *n.attrs.body;
  const std::int64_t length = n.shape[0], width = n.shape[1];
  if (length * static_cast<std::int64_t>(b.graph.size()) > kMaxUnrolledNodes) return std::nullopt;
  Graph s;
  const auto lift = [&](NodeId id) {
    const Node& x = g.node(id);
    return Tensor(s, s.constant(x.dtype, x.shape, *x.attrs.data));
  };
  std::vector<Tensor> carry, consts;
  for (std::size_t k = 0; k < b.carries; ++k) carry.push_back(lift(n.inputs[k]));
  for (std::size_t c = 0; c < b.constants(); ++c)
    consts.push_back(lift(n.inputs[b.carries + b.sequences + c]));
  std::vector<double> out(static_cast<std::size_t>(length * width));
  const bool reverse = n.attrs.ints[1] != 0;
  for (std::int64_t i = 0; i < length; ++i) {
    const std::int64_t t = reverse ? length - 1 - i : i;
    std::vector<Tensor> args = carry;
    for (std::size_t j = 0; j < b.sequences; ++j) {
      const Node& seq = g.node(n.inputs[b.carries + j]);
      const Shape row(seq.shape.begin() + 1, seq.shape.end());
      const std::int64_t m = numel(row);
      const auto first = seq.attrs.data->begin() + static_cast<std::ptrdiff_t>(t * m);
      args.emplace_back(s, s.constant(seq.dtype, row, std::vector<double>(first, first + m)));
    }
    args.insert(args.end(), consts.begin(), consts.end());
    const std::vector<Tensor> r = call_body(b, args);
    auto at = out.begin() + static_cast<std::ptrdiff_t>(t * width);
    for (const Tensor& x : r) {
      if (!x.is_constant()) return std::nullopt;
      const auto& v = *x.node().attrs.data;
      at = std::copy(v.begin(), v.end(), at);
    }
    carry.assign(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(b.carries));
  }
  return out;
}

ScanResult scan(std::shared_ptr<const ScanBody> body, std::span<const Tensor> init,
                std::span<const Tensor> sequences, std::span<const Tensor> constants,
                std::optional<std::int64_t> length, bool reverse) {
  if (!body) throw GraphError("scan: no body");
  if (init.size() != body->carries || sequences.size() != body->sequences ||
      constants.size() != body->constants())
    throw GraphError("scan: the body takes " + std::to_string(body->carries) + " carries, " +
                     std::to_string(body->sequences) + " sequences and " +
                     std::to_string(body->constants()) + " constants; got " +
                     std::to_string(init.size()) + ", " + std::to_string(sequences.size()) +
                     " and " + std::to_string(constants.size()));
  std::vector<Tensor> all(init.begin(), init.end());
  all.insert(all.end(), sequences.begin(), sequences.end());
  all.insert(all.end(), constants.begin(), constants.end());
  if (all.empty()) throw GraphError("scan: needs at least one input tensor");
  for (const Tensor& t : all)
    if (!t.valid()) throw GraphError("scan: an input is an empty tensor handle");
  if (!length) {
    if (sequences.empty()) throw GraphError("scan: with no sequences the length must be given");
    if (sequences[0].rank() == 0)
      throw GraphError("scan: sequence 0 is a scalar; a sequence needs a leading axis");
    length = sequences[0].shape()[0];
  }
  Graph& g = all[0].graph();
  std::vector<NodeId> ids;
  for (const Tensor& t : all) {
    if (&t.graph() != &g) throw GraphError("scan: inputs belong to different graphs");
    ids.push_back(t.id());
  }
  ScanResult r;
  r.packed = Tensor(g, g.add(Op::scan, std::move(ids), {*length, reverse ? 1 : 0}, body));
  for (std::size_t j = 0; j < body->outputs.size(); ++j) {
    const Shape shape = body->graph.node(body->outputs[j]).shape;
    const Tensor c = column(r.packed, body->row_offset(j), shape);
    (j < body->carries ? r.carries : r.outputs).push_back(c);
  }
  // The last carries straight from their row of the packed result: one small copy each, not a
  // copy of the whole column first.
  const std::int64_t row = reverse ? 0 : *length - 1;
  for (std::size_t k = 0; k < body->carries; ++k) {
    if (*length == 0) {
      r.last.push_back(init[k]);
      continue;
    }
    const Shape shape = body->graph.node(body->outputs[k]).shape;
    const Tensor cell =
        apply(Op::slice, {r.packed}, {row, 1, 1, body->row_offset(k), 1, numel(shape)});
    r.last.push_back(reshape(cell, shape));
  }
  return r;
}

Tensor ScanArgs::capture(const Tensor& outer) const {
  if (!outer.valid()) throw GraphError("scan body: capture of an empty tensor handle");
  if (&outer.graph() == &graph) return outer;  // already the body's
  for (const auto& [o, b] : *captured)
    if (&o.graph() == &outer.graph() && o.id() == outer.id()) return b;
  std::string name("capture");
  name.append(std::to_string(captured->size()));
  const Tensor b = input(graph, name, outer.dtype(), outer.shape());
  captured->emplace_back(outer, b);
  return b;
}

TracedBody trace_scan_body(const ScanFn& fn, std::span<const std::pair<DType, Shape>> carries,
                           std::span<const std::pair<DType, Shape>> rows,
                           std::span<const std::pair<DType, Shape>> constants) {
  Graph bg;
  const auto make = [&](const char* role, std::span<const std::pair<DType, Shape>> specs) {
    std::vector<Tensor> t;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      std::string name(role);
      name.append(std::to_string(i));
      t.push_back(input(bg, name, specs[i].first, specs[i].second));
    }
    return t;
  };
  ScanArgs a{bg, make("carry", carries), make("seq", rows), make("const", constants)};
  ScanStep step;
  try {
    step = fn(a);
  } catch (const GraphError& e) {
    throw GraphError(std::string("scan body: ") + e.what() +
                     " (a body uses its own arguments; capture outer tensors with a.capture)");
  }
  if (step.carries.size() != carries.size())
    throw GraphError("scan body: returns " + std::to_string(step.carries.size()) + " carries for " +
                     std::to_string(carries.size()) + " initial carries");
  std::vector<NodeId> outputs;
  std::size_t j = 0;
  for (const auto* list : {&step.carries, &step.outputs})
    for (const Tensor& t : *list) {
      if (!t.valid() || &t.graph() != &bg)
        throw GraphError("scan body: output " + std::to_string(j) +
                         " is not a tensor of the body (capture outer tensors with a.capture)");
      outputs.push_back(t.id());
      ++j;
    }
  TracedBody traced;
  for (const auto& [outer, body] : *a.captured) traced.captured.push_back(outer);
  traced.body = make_scan_body(std::move(bg), std::move(outputs), carries.size(), rows.size());
  return traced;
}

ScanResult scan(const ScanFn& fn, std::span<const Tensor> init, std::span<const Tensor> sequences,
                std::span<const Tensor> constants, std::optional<std::int64_t> length,
                bool reverse) {
  std::vector<std::pair<DType, Shape>> c, r, k;
  for (const Tensor& t : init) c.emplace_back(t.dtype(), t.shape());
  for (std::size_t j = 0; j < sequences.size(); ++j) {
    const Tensor& t = sequences[j];
    if (t.rank() == 0)
      throw GraphError("scan: sequence " + std::to_string(j) +
                       " is a scalar; a sequence needs a leading axis");
    r.emplace_back(t.dtype(), Shape(t.shape().begin() + 1, t.shape().end()));
  }
  for (const Tensor& t : constants) k.emplace_back(t.dtype(), t.shape());
  TracedBody traced = trace_scan_body(fn, c, r, k);
  std::vector<Tensor> all_constants(constants.begin(), constants.end());
  all_constants.insert(all_constants.end(), traced.captured.begin(), traced.captured.end());
  return scan(std::move(traced.body), init, sequences, all_constants, length, reverse);
}

}  // namespace stochos::graph
