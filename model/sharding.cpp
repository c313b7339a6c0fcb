#include "model/sharding.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_set>

#include "graph/op.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

// Note [sharded density]
// A rank holds rows [a, b) of each sharded data container and builds the model on them. Its log
// density is a sum of parts (Model::term_parts, summed as logp sums them, so that the lead over
// all the rows computes logp's very node); the ranks' sums add up to the whole data's log
// density when every part falls in one of two classes:
//   - it reads no sharded data (priors, Jacobians, potentials on parameters, parameter
//     conditions): its value is the same on every rank, so one rank, the lead, adds it;
//   - it is *summable*: the sum of its values over the shards is its value on the whole data.
//     Every rank adds it, on its rows.
// Anything else reading sharded data is refused: computed on shards and summed, it would be
// another density. The check is structural, one forward pass over the graph (inputs precede
// users) giving each node a kind:
//   aligned   the node has an axis of rows (axis 0 of a sharded input; a transpose moves it),
//             and its elements at index i along it read row i of the sharded data only, so
//             its rows are the whole data's rows a..b-1. Elementwise ops (casts, comparisons,
//             where) keep it when their aligned operands put their rows on one axis of the
//             output (NumPy aligns trailing axes) that no other operand spans (one of length
//             1 there, or of lower rank, does not; one with the rows' length is per-row data
//             left unsharded, or a per-row parameter, and neither splits). So do table[idx]
//             with idx aligned and the table unsharded (a[county]); op(X) @ B with X's rows
//             on axis 0 of op(X), A @ op(X) with them on axis 1, triangular solves with them
//             on the columns (MvNormal's); reductions over another axis; reshapes keeping the
//             axes up to the rows'; broadcast_to; slices taking every row in order; concat
//             and cumsum along another axis.
//   summable  the sum over the rows of an aligned value (a part summed, or a potential
//             sum(log(x))), and what is linear in summable values: sums, differences, negation,
//             products with and quotients by unsharded values, reshapes, casts to float.
//   row_min / row_max / all
//             A support check over data (Model::term's all_of, min(cast(cond)) > 0.5) is one
//             scalar, true when every row passes: the minimum over the rows of an aligned value
//             is the minimum of the shards' minima, so comparing it with an unsharded bound
//             gives, per shard, a boolean whose conjunction over the shards is the whole data's
//             (`all`; logical_and keeps it). where(all, s, -inf) with s aligned or summable is
//             summable: where every shard passes, the shards' s add up; where one fails, its
//             -inf makes the sum -inf, as the whole data's value is.
// Anything else reading sharded data (a sum used other than by summing, mean(x) as a parameter,
// exp(sum(log x)), a gather of sharded rows, a cumsum or slice along the rows, a matmul summing
// over them, an unknown op) is `mixed`, and a part that is mixed is refused with the node
// where rows were combined. Each rank's analysis sees its own shapes; ranks with one row or none
// are the caller's to avoid (a min over no rows does not build).

namespace {

using graph::Graph;
using graph::Node;
using graph::NodeId;
using graph::Op;

enum class Kind : std::uint8_t { none, aligned, summable, row_min, row_max, all, mixed };

struct State {
  Kind kind = Kind::none;
  NodeId origin = 0;     // the node that combined rows (reported when a part is refused)
  std::size_t axis = 0;  // aligned: the axis of the rows
};

class RowAnalysis {
 public:
  RowAnalysis(const Graph& g, std::unordered_set<NodeId> sharded)
      : g_(g), sharded_(std::move(sharded)) {}

  State state(NodeId id) {
    while (states_.size() <= id) states_.push_back(compute(static_cast<NodeId>(states_.size())));
    return states_[id];
  }

  // "sum over every axis of x [50]": the node that combined rows, for messages.
  std::string describe(NodeId id) const;

 private:
  const Node& node(NodeId id) const { return g_.node(id); }
  const graph::Shape& shape(NodeId id) const { return g_.node(id).shape; }
  State compute(NodeId id) const;
  State elementwise(NodeId id, const std::vector<State>& in) const;
  State special(NodeId id, const std::vector<State>& in) const;  // elementwise, not aligned
  State reduction(NodeId id, const State& in) const;
  State shape_op(NodeId id, const std::vector<State>& in) const;

  const Graph& g_;
  std::unordered_set<NodeId> sharded_;
  std::vector<State> states_;
};

bool is(const State& s, Kind k) {
  return s.kind == k;
}

State aligned_at(const State& s, std::size_t axis) {
  return {Kind::aligned, s.origin, axis};
}

// Mixed at `id`, or where an input combined rows already.
State mixed(NodeId id, const std::vector<State>& in) {
  for (const State& s : in)
    if (s.kind != Kind::none && s.kind != Kind::aligned) return {Kind::mixed, s.origin};
  return {Kind::mixed, id};
}

State RowAnalysis::compute(NodeId id) const {
  if (sharded_.count(id)) return {Kind::aligned, id, 0};
  const Node& n = node(id);
  std::vector<State> in;
  bool depends = false;
  for (NodeId i : n.inputs) {
    in.push_back(states_[i]);
    depends = depends || !is(in.back(), Kind::none);
    if (is(in.back(), Kind::mixed)) return in.back();
  }
  if (!depends) return {};
  switch (graph::op_kind(n.op)) {
    case graph::OpKind::Unary:
    case graph::OpKind::Binary:
    case graph::OpKind::Compare:
    case graph::OpKind::Logical:
    case graph::OpKind::Select:
    case graph::OpKind::Cast:
      return elementwise(id, in);
    case graph::OpKind::Reduce:
      return reduction(id, in[0]);
    case graph::OpKind::Shape:
    case graph::OpKind::LinAlg:
      return shape_op(id, in);
    case graph::OpKind::Source:
    case graph::OpKind::Loop:  // a scan's steps depend on one another: not split by rows
      break;
  }
  return mixed(id, in);
}

State RowAnalysis::elementwise(NodeId id, const std::vector<State>& in) const {
  const Node& n = node(id);
  if (std::any_of(in.begin(), in.end(),
                  [](const State& s) { return !is(s, Kind::none) && !is(s, Kind::aligned); }))
    return special(id, in);
  // NumPy broadcasting aligns trailing axes: an operand's axis a is the output's a + R - r. The
  // aligned operands' rows land on one axis of the output, which no other operand spans.
  const std::size_t R = n.shape.size();
  std::optional<std::size_t> rows;
  for (std::size_t k = 0; k < in.size(); ++k)
    if (is(in[k], Kind::aligned)) {
      const std::size_t at = in[k].axis + R - shape(n.inputs[k]).size();
      if ((rows && *rows != at) || shape(n.inputs[k])[in[k].axis] != n.shape[at])
        return {Kind::mixed, id};
      rows = at;
    }
  for (std::size_t k = 0; k < in.size(); ++k) {
    const graph::Shape& s = shape(n.inputs[k]);
    if (is(in[k], Kind::none) && *rows + s.size() >= R && s[*rows + s.size() - R] != 1)
      return {Kind::mixed, id};
  }
  return {Kind::aligned, id, *rows};
}

State RowAnalysis::special(NodeId id, const std::vector<State>& in) const {
  const Node& n = node(id);
  const bool one = graph::numel(n.shape) == 1;
  const auto pair = [&](Kind a, Kind b) { return is(in[0], a) && is(in[1], b); };
  const auto summable = [](const State& s) { return State{Kind::summable, s.origin}; };
  switch (n.op) {
    case Op::where:  // where(all, s, -inf)
      if (is(in[0], Kind::all) && (is(in[1], Kind::aligned) || is(in[1], Kind::summable)) &&
          shape(n.inputs[1]) == n.shape && is(in[2], Kind::none) &&
          g_.is_constant_value(n.inputs[2], -std::numeric_limits<double>::infinity()))
        return summable(in[0]);
      break;
    case Op::greater:
    case Op::greater_equal:  // min(rows) > bound, bound > max(rows)
      if (one && pair(Kind::row_min, Kind::none)) return {Kind::all, in[0].origin};
      if (one && pair(Kind::none, Kind::row_max)) return {Kind::all, in[1].origin};
      break;
    case Op::less:
    case Op::less_equal:
      if (one && pair(Kind::row_max, Kind::none)) return {Kind::all, in[0].origin};
      if (one && pair(Kind::none, Kind::row_min)) return {Kind::all, in[1].origin};
      break;
    case Op::logical_and:
      if (one && !is(in[0], Kind::aligned) && !is(in[1], Kind::aligned) &&
          (is(in[0], Kind::all) || is(in[0], Kind::none)) &&
          (is(in[1], Kind::all) || is(in[1], Kind::none)))
        return {Kind::all, is(in[0], Kind::all) ? in[0].origin : in[1].origin};
      break;
    case Op::cast:  // monotone casts keep a minimum; float casts keep a sum
      if ((is(in[0], Kind::row_min) || is(in[0], Kind::row_max)) &&
          n.dtype != graph::DType::boolean)
        return in[0];
      if (is(in[0], Kind::summable) && graph::is_float(n.dtype)) return in[0];
      break;
    case Op::add:
    case Op::sub:
      if (pair(Kind::summable, Kind::summable)) return in[0];
      break;
    case Op::neg:
      if (is(in[0], Kind::summable)) return in[0];
      break;
    case Op::mul:
      if (pair(Kind::summable, Kind::none)) return in[0];
      if (pair(Kind::none, Kind::summable)) return in[1];
      break;
    case Op::div:
      if (pair(Kind::summable, Kind::none)) return in[0];
      break;
    default:
      break;
  }
  return mixed(id, in);
}

State RowAnalysis::reduction(NodeId id, const State& in) const {
  const Node& n = node(id);
  const std::int64_t axis = n.attrs.ints[0];
  if (is(in, Kind::aligned)) {
    if (axis != graph::kAllAxes && static_cast<std::size_t>(axis) != in.axis) {
      const bool before = static_cast<std::size_t>(axis) < in.axis && n.attrs.ints[1] == 0;
      return aligned_at(in, in.axis - (before ? 1 : 0));  // within rows
    }
    const bool one = graph::numel(n.shape) == 1;
    if (n.op == Op::sum) return {Kind::summable, id};
    if (n.op == Op::min && one) return {Kind::row_min, id};
    if (n.op == Op::max && one) return {Kind::row_max, id};
    return {Kind::mixed, id};
  }
  if (is(in, Kind::summable) && n.op == Op::sum) return in;
  return mixed(id, {in});
}

State RowAnalysis::shape_op(NodeId id, const std::vector<State>& in) const {
  const Node& n = node(id);
  const auto& ints = n.attrs.ints;
  const graph::Shape& x = shape(n.inputs[0]);
  const bool aligned = is(in[0], Kind::aligned);
  const std::size_t a = in[0].axis;  // aligned: the rows' axis in the first input
  // Linear maps of one summable value stay summable.
  const bool summable = is(in[0], Kind::summable);
  switch (n.op) {
    case Op::reshape:  // the axes up to the rows' kept: row i stays row i
      if (aligned && n.shape.size() > a &&
          std::equal(x.begin(), x.begin() + a + 1, n.shape.begin()))
        return in[0];
      if (summable) return in[0];
      break;
    case Op::broadcast_to:  // new leading axes
      if (aligned && n.shape[a + n.shape.size() - x.size()] == x[a])
        return aligned_at(in[0], a + n.shape.size() - x.size());
      if (summable) return in[0];
      break;
    case Op::transpose:
      if (aligned) {
        const auto j = std::find(ints.begin(), ints.end(), static_cast<std::int64_t>(a));
        return aligned_at(in[0], static_cast<std::size_t>(j - ints.begin()));
      }
      if (summable) return in[0];
      break;
    case Op::slice:  // every row, in order
      if (aligned && ints[3 * a] == 0 && ints[3 * a + 1] == 1 && ints[3 * a + 2] == x[a])
        return in[0];
      if (summable) return in[0];
      break;
    case Op::concat:
      if (static_cast<std::size_t>(ints[0]) != a &&
          std::all_of(in.begin(), in.end(),
                      [&](const State& s) { return is(s, Kind::aligned) && s.axis == a; }))
        return in[0];
      break;
    case Op::cumsum:
      if (aligned && static_cast<std::size_t>(ints[0]) != a) return in[0];
      break;
    case Op::gather:  // table[idx] along axis 0: the rows' indices, or the table's other rows
      if (is(in[0], Kind::none) && is(in[1], Kind::aligned)) return in[1];
      if (aligned && a > 0 && is(in[1], Kind::none))
        return aligned_at(in[0], a - 1 + shape(n.inputs[1]).size());
      break;
    case Op::matmul: {  // rows of op(X) [N, K] @ B, or columns of A @ op(X) [K, N]
      const auto rows = [&](const State& s, bool t) { return t ? 1 - s.axis : s.axis; };
      if (aligned && is(in[1], Kind::none) && rows(in[0], ints[0] != 0) == 0) return in[0];
      if (is(in[0], Kind::none) && is(in[1], Kind::aligned) && rows(in[1], ints[1] != 0) == 1)
        return aligned_at(in[1], 1);
      break;
    }
    case Op::trsolve:  // op(A) X = B: column j of X from column j of B
      if (is(in[0], Kind::none) && is(in[1], Kind::aligned) && in[1].axis == 1) return in[1];
      break;
    default:
      break;
  }
  return mixed(id, in);
}

std::string RowAnalysis::describe(NodeId id) const {
  const Node& n = node(id);
  std::string s(graph::op_name(n.op));
  if (graph::op_kind(n.op) == graph::OpKind::Reduce) {
    if (n.attrs.ints[0] == graph::kAllAxes) {
      s += " over every axis";
    } else {
      s += " over axis ";
      s += std::to_string(n.attrs.ints[0]);
    }
  } else if (n.op == Op::cumsum || n.op == Op::concat) {
    s += " along axis ";
    s += std::to_string(n.attrs.ints[0]);
  }
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    const Node& x = node(n.inputs[k]);
    s += k == 0 ? " of " : (n.op == Op::gather ? " by " : " and ");
    if (x.op == Op::input) s += x.attrs.name + " ";
    s += graph::shape_str(x.shape);
    if (n.inputs[k] < states_.size() && is(states_[n.inputs[k]], Kind::none)) s += " (not sharded)";
  }
  return s;
}

}  // namespace

ShardPlan plan_sharding(const Model& m, const std::vector<graph::NodeId>& sharded, bool jacobian) {
  // Summed parts, as logp has them (Note [sharded density]).
  const auto terms = m.term_parts(jacobian, false);
  std::unordered_set<NodeId> inputs;
  std::string names;
  const DataVar* first = nullptr;
  for (NodeId id : sharded) {
    const auto d = std::find_if(m.data_vars().begin(), m.data_vars().end(),
                                [&](const DataVar& v) { return v.input.id() == id; });
    if (d == m.data_vars().end()) {
      std::string what = "sharding: node ";
      what += std::to_string(id) + " is not a data container";
      throw InputError(what);
    }
    const graph::Shape& shape = d->input.shape();
    if (shape.empty()) throw InputError("sharding: data '" + d->name + "' is a scalar, not rows");
    if (first && first->input.shape()[0] != shape[0]) {
      std::string what = "sharding: data '" + d->name + "' has ";
      what += std::to_string(shape[0]) + " rows but '" + first->name + "' has ";
      what += std::to_string(first->input.shape()[0]);
      throw InputError(what);
    }
    if (!first) first = &*d;
    if (!inputs.insert(id).second) continue;
    if (!names.empty()) names += ", ";
    names += d->name;
  }

  RowAnalysis rows(const_cast<Model&>(m).graph(), std::move(inputs));
  ShardPlan plan;
  for (const Model::TermParts& t : terms) {
    std::vector<bool> parts;
    for (const Tensor& p : t.parts) {
      const State s = rows.state(p.id());
      if (s.kind == Kind::none || s.kind == Kind::aligned || s.kind == Kind::summable) {
        parts.push_back(s.kind != Kind::none);
        continue;
      }
      std::string what = "sharding " + names;
      what += " by rows would change the density: term '" + t.name + "' mixes rows (";
      what += rows.describe(s.origin) + ")";
      throw InputError(what);
    }
    if (std::find(parts.begin(), parts.end(), true) != parts.end())
      plan.sharded_terms.push_back(t.name);
    plan.parts.push_back(std::move(parts));
  }
  return plan;
}

graph::Tensor shard_logp(const Model& m, const ShardPlan& plan, bool lead, bool jacobian) {
  const auto terms = m.term_parts(jacobian, false);
  if (terms.size() != plan.parts.size())
    throw InputError("shard_logp: the plan is another model's");
  // Summed as Model::logp sums: on the lead, over all the rows, the very same node.
  Tensor total = graph::constant(const_cast<Model&>(m).graph(), 0.0, m.floatx());
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const auto& parts = terms[k].parts;
    if (plan.parts[k].size() != parts.size())
      throw InputError("shard_logp: the plan of term '" + terms[k].name +
                       "' is another model's or has another jacobian setting");
    std::optional<Tensor> term;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      if (!lead && !plan.parts[k][j]) continue;
      const Tensor s = parts[j].shape().empty() ? parts[j] : graph::sum(parts[j]);
      term = term ? *term + s : s;
    }
    if (term) total = total + *term;
  }
  return total;
}

LogDensity compile_share(const Model& m, const std::vector<graph::NodeId>& sharded, bool lead,
                         const CompileOptions& o) {
  const ShardPlan plan = plan_sharding(m, sharded, o.jacobian);
  return m.compile_density(shard_logp(m, plan, lead, o.jacobian), o);
}

}  // namespace stochos::model
