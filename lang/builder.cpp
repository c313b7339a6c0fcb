// From the syntax tree to a model::Model: data declarations checked against the data, random
// variables (free, or observed when the name is data or computed from data alone),
// deterministics, lets and potentials; expressions become graph operations.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <new>
#include <numbers>
#include <optional>
#include <set>
#include <span>

#include "graph/scan.hpp"
#include "lang/functions.hpp"
#include "lang/lang.hpp"
#include "lang/recurrence.hpp"
#include "lang/suggest.hpp"
#include "stochos/error.hpp"

namespace stochos::lang {

namespace {

using graph::DType;
using graph::Shape;
using graph::Tensor;

// An error that already carries its location.
struct Located : InputError {
  using InputError::InputError;
};

// Integers known when the model is built stay exact: literals up to 2^53, and sums, differences
// and products that do not overflow; anything else is simply not a known integer.
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53
std::optional<std::int64_t> exact_int(double v) {
  if (std::abs(v) > kMaxExactInt) return std::nullopt;
  return static_cast<std::int64_t>(v);
}
std::optional<std::int64_t> int_arith(const std::string& op, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  bool overflow = true;
  if (op == "+") overflow = __builtin_add_overflow(a, b, &r);
  if (op == "-") overflow = __builtin_sub_overflow(a, b, &r);
  if (op == "*") overflow = __builtin_mul_overflow(a, b, &r);
  if (overflow) return std::nullopt;
  return r;
}
std::optional<std::int64_t> int_negate(std::int64_t a) {
  return int_arith("-", 0, a);
}

// Shortest text that reads back as v: 1.5, 3, 1e+300.
std::string number_str(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// "[2]", "[1][0]": the position of flat element k of a row-major array of this shape.
std::string position_str(std::size_t k, const Shape& shape) {
  std::string out;
  std::vector<std::int64_t> at(shape.size());
  for (std::size_t a = shape.size(); a-- > 0;) {
    const auto n = static_cast<std::size_t>(shape[a]);
    at[a] = static_cast<std::int64_t>(k % n);
    k /= n;
  }
  for (auto i : at) {
    out.push_back('[');
    out.append(std::to_string(i));
    out.push_back(']');
  }
  return out;
}

using Known = std::shared_ptr<const std::vector<double>>;

struct Value {
  Tensor t;
  bool from_data = false;                                 // depends on data and constants only
  std::optional<std::int64_t> int_scalar = std::nullopt;  // an int known now (int data, a literal)
  // The elements of an int tensor known when the model is built (int data, integer arithmetic
  // on it), row-major: an index array is checked against the axis it indexes before it is used.
  Known known = nullptr;
  // Data with null entries (NaN), which only an observed variable may take: `t` is unset, and
  // `null_at` is the first null's flat index.
  const io::DataValue* with_nulls = nullptr;
  std::size_t null_at = 0;
};

bool is_float(const Tensor& t) {
  return t.dtype() == DType::f64 || t.dtype() == DType::f32;
}

class Builder {
 public:
  Builder(const Program& p, const io::DataSet& data, DType floatx, const ShardOptions& shard)
      : p_(p),
        data_(data),
        m_(std::make_unique<model::Model>(floatx)),
        floatx_(floatx),
        shard_(shard) {}

  std::unique_ptr<model::Model> run() {
    const auto& st = p_.statements;
    for (std::size_t i = 0; i < st.size();) {
      if (!st[i].loop) {
        statement(st[i++]);
        continue;
      }
      // Consecutive lines with the same `for` clause are one loop.
      const auto [a, b] = loop_range(*st[i].loop);
      std::size_t j = i + 1;
      while (j < st.size() && st[j].loop && st[j].loop->var == st[i].loop->var &&
             loop_range(*st[j].loop) == std::pair{a, b})
        ++j;
      recurrence(std::span(st).subspan(i, j - i), a, b);
      i = j;
    }
    for (const auto& [name, pending] : pending_)
      fail(pending.starts.begin()->second.loc,
           "'" + name + "[" + std::to_string(pending.starts.begin()->first) +
               "]' is a start value, but no recurrence follows: `" +
               (pending.kind == Statement::Kind::let ? "let " : "") + name + "[t] = ... for t in " +
               std::to_string(pending.starts.rbegin()->first + 1) + ":N` defines the rest");
    return std::move(m_);
  }

 private:
  [[noreturn]] void fail(Loc loc, const std::string& what) const {
    throw Located(located(p_.filename, loc, what));
  }
  // Runs f, giving any unlocated input error (a graph shape error, a model error) the location.
  template <class F>
  auto at(Loc loc, F&& f) {
    try {
      return f();
    } catch (const Located&) {
      throw;
    } catch (const InputError& e) {
      fail(loc, e.what());
    } catch (const std::bad_alloc&) {
      fail(loc, "out of memory while building this statement");
    }
  }
  graph::Graph& g() { return body_ ? body_->args.graph : m_->graph(); }

  void define(const std::string& name, Loc loc, Value v) {
    if (env_.count(name) || pending_.count(name)) fail(loc, "'" + name + "' is already defined");
    env_[name] = std::move(v);
  }

  // --- Recurrences (Note [recurrences] in lang/recurrence.hpp) ---

  // A start value, `let x[0] = ...`: kept until x's recurrence.
  struct Start {
    Value value;
    Loc loc;
  };
  struct Pending {
    Statement::Kind kind;
    std::map<std::int64_t, Start> starts;
  };

  void start_value(const Statement& s) {
    if (env_.count(s.name)) fail(s.name_loc, "'" + s.name + "' is already defined");
    const auto k = int_value(*s.element);
    if (!k)
      fail(s.element->loc,
           "a start value's index must be an integer known when the model is "
           "built (a recurrence's line ends with `for " +
               to_source(*s.element) + " in 1:T`)");
    if (*k < 0) fail(s.element->loc, "a start value's index must not be negative");
    const auto it = pending_.try_emplace(s.name, Pending{s.kind, {}}).first;
    if (it->second.kind != s.kind) mixed_kinds(s);
    if (it->second.starts.count(*k))
      fail(s.name_loc, "'" + s.name + "[" + std::to_string(*k) + "]' is already defined");
    it->second.starts.emplace(*k, Start{expr(*s.value), s.loc});
  }

  // An array whose lines are not all lets, or not all deterministics.
  [[noreturn]] void mixed_kinds(const Statement& s) const {
    fail(s.loc, "'" + s.name + "' has start values written " +
                    (s.kind == Statement::Kind::let ? "without" : "with") +
                    " `let`; write all of an array's lines alike");
  }

  std::pair<std::int64_t, std::int64_t> loop_range(const Loop& l) {
    const auto a = int_value(*l.start), b = int_value(*l.stop);
    if (!a)
      fail(l.start->loc, "a recurrence's range must be integers known when the model is built");
    if (!b)
      fail(l.stop->loc, "a recurrence's range must be integers known when the model is built");
    if (*a < 0) fail(l.start->loc, "a recurrence's range must not start below 0");
    if (*b < *a)
      fail(l.stop->loc, "the range " + std::to_string(*a) + ":" + std::to_string(*b) +
                            " ends before it starts (`for " + l.var +
                            " in START:STOP` runs START, ..., STOP - 1)");
    return {*a, *b};
  }

  // What one loop's body reads: its arrays (in line order), the lags each is read at, the other
  // arrays read at a step, and whether the index itself is a value.
  struct LoopPlan {
    std::string var;
    std::int64_t a = 0, b = 0;
    std::vector<std::string> arrays;
    std::map<std::string, std::int64_t> lags;  // the deepest lag read of each array (0: none)
    std::vector<std::pair<std::string, std::int64_t>> sequences;  // (array, offset)
    bool index_value = false;
  };

  // The body being traced: what a name or a step subscript reads there.
  struct Body {
    const graph::ScanArgs& args;
    const LoopPlan& plan;
    std::map<std::pair<std::string, std::int64_t>, Tensor> lagged;  // (array, k): x[t-k]
    std::map<std::string, Tensor> current;                          // x[t], once its line ran
    std::map<std::pair<std::string, std::int64_t>, Tensor> rows;    // (sequence, k): y[t+k]
    std::optional<Tensor> index;
    bool from_data = true;
  };

  LoopPlan plan_loop(std::span<const Statement> lines, std::int64_t a, std::int64_t b) {
    LoopPlan plan{lines[0].loop->var, a, b, {}, {}, {}, false};
    const Loop& loop = *lines[0].loop;
    if (env_.count(plan.var) || pending_.count(plan.var) || data_.count(plan.var))
      fail(loop.var_loc, "'" + plan.var +
                             "' is already defined; name the recurrence's index "
                             "otherwise");
    for (const Statement& s : lines) {
      if (!(s.element->kind == Expr::Kind::name && s.element->name == plan.var))
        fail(s.element->loc, "a recurrence's line defines " + s.name + "[" + plan.var +
                                 "] (the index of its `for` clause), not " + s.name + "[" +
                                 to_source(*s.element) + "]");
      if (env_.count(s.name)) fail(s.name_loc, "'" + s.name + "' is already defined");
      if (std::find(plan.arrays.begin(), plan.arrays.end(), s.name) != plan.arrays.end())
        fail(s.name_loc, "'" + s.name + "[" + plan.var + "]' is already defined by this loop");
      const auto p = pending_.find(s.name);
      if (p != pending_.end() && p->second.kind != s.kind) mixed_kinds(s);
      plan.arrays.push_back(s.name);
      plan.lags[s.name] = 0;
    }
    const KnownInt known = [this](const Expr& e) { return int_value(e); };
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Statement& s = lines[i];
      plan.index_value = plan.index_value || uses_index_value(*s.value, plan.var, known);
      for (const TimeRead& r : time_reads(*s.value, plan.var, known)) {
        const Loc at = r.expr->subscripts[0].loc;
        const std::string read = r.name + "[" + to_source(*r.expr->subscripts[0].index) + "]";
        const auto mine = std::find(plan.arrays.begin(), plan.arrays.end(), r.name);
        if (mine != plan.arrays.end()) {
          const auto line = static_cast<std::size_t>(mine - plan.arrays.begin());
          if (r.offset > 0)
            fail(at, read + " reads the future: a recurrence reads its arrays at " + plan.var +
                         " or before");
          if (r.offset == 0 && line == i)
            fail(at, read + " is what this line defines; read its past, " + r.name + "[" +
                         plan.var + " - 1]");
          if (r.offset == 0 && line > i)
            fail(at, read + " reads the future: " + read + " is defined on a later line (line " +
                         std::to_string(lines[line].loc.line) + "); move that line above this one");
          if (a + r.offset < 0)
            fail(at, read + " at " + plan.var + " = " + std::to_string(a) + " reads " + r.name +
                         "[" + std::to_string(a + r.offset) + "], before its first value: give " +
                         "start values (`" +
                         (lines[line].kind == Statement::Kind::let ? "let " : "") + r.name +
                         "[0] = ...`) and start the range at " + std::to_string(-r.offset) +
                         " or later");
          plan.lags[r.name] = std::max(plan.lags[r.name], -r.offset);
          continue;
        }
        if (pending_.count(r.name))
          fail(at, "'" + r.name + "' is defined by a recurrence of another loop; put its line " +
                       "with the same `for` clause next to this one");
        const auto it = env_.find(r.name);
        if (it == env_.end()) unknown_name(*r.expr->items[0]);
        refuse_nulls(*r.expr->items[0], it->second);
        const Tensor& y = it->second.t;
        if (y.rank() == 0) fail(at, "'" + r.name + "' is a scalar; it has no element " + read);
        const std::int64_t n = y.shape()[0];
        if (b > a && a + r.offset < 0)
          fail(at, read + " at " + plan.var + " = " + std::to_string(a) + " reads " + r.name + "[" +
                       std::to_string(a + r.offset) + "], before its start; start the " +
                       "range at " + std::to_string(-r.offset) + " or later");
        if (b > a && b - 1 + r.offset >= n)
          fail(at, read + " at " + plan.var + " = " + std::to_string(b - 1) + " reads " + r.name +
                       "[" + std::to_string(b - 1 + r.offset) + "], past its end (" + r.name +
                       " has length " + std::to_string(n) + ")");
        const std::pair key{r.name, r.offset};
        if (std::find(plan.sequences.begin(), plan.sequences.end(), key) == plan.sequences.end())
          plan.sequences.push_back(key);
      }
    }
    // Start values: exactly x[0], ..., x[a-1].
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Statement& s = lines[i];
      const auto p = pending_.find(s.name);
      for (std::int64_t k = 0; k < a; ++k)
        if (p == pending_.end() || !p->second.starts.count(k))
          fail(s.name_loc, "missing start value: " + s.name + "[" + plan.var + "] for " + plan.var +
                               " in " + std::to_string(a) + ":" + std::to_string(b) +
                               " starts at " + std::to_string(a) + ", so " + s.name + "[" +
                               std::to_string(k) + "] needs a value first: `" +
                               (s.kind == Statement::Kind::let ? "let " : "") + s.name + "[" +
                               std::to_string(k) + "] = ...`");
      if (p != pending_.end() && p->second.starts.rbegin()->first >= a) {
        const auto& [k, start] = *p->second.starts.rbegin();
        fail(start.loc, "'" + s.name + "[" + std::to_string(k) + "]' is given a start value, " +
                            "but the recurrence on line " + std::to_string(s.loc.line) +
                            " defines " + s.name + "[" + plan.var + "] for " + plan.var + " in " +
                            std::to_string(a) + ":" + std::to_string(b));
      }
    }
    return plan;
  }

  void recurrence(std::span<const Statement> lines, std::int64_t a, std::int64_t b) {
    const LoopPlan plan = plan_loop(lines, a, b);
    // Start values, as floats of one shape per array.
    std::map<std::string, std::vector<Tensor>> starts;
    bool from_data = true;
    for (const Statement& s : lines) {
      auto& list = starts[s.name];
      const auto p = pending_.find(s.name);
      if (p == pending_.end()) continue;
      for (const auto& [k, start] : p->second.starts) {
        const Tensor t = to_floatx(start.value.t);
        if (!list.empty() && t.shape() != list[0].shape())
          fail(start.loc, "'" + s.name + "[" + std::to_string(k) + "]' has shape " +
                              graph::shape_str(t.shape()) + " but " + s.name + "[0] has shape " +
                              graph::shape_str(list[0].shape()));
        from_data = from_data && start.value.from_data;
        list.push_back(t);
      }
    }
    const Loop& loop = *lines[0].loop;
    at(loop.loc, [&] {  // before anything the length sizes is made
      model::check_fits_in_memory(
          "the recurrence over " + loop.var + " in " + std::to_string(a) + ":" + std::to_string(b),
          Shape{b - a}, floatx_);
      return 0;
    });
    std::vector<Tensor> init, sequences;
    for (const std::string& x : plan.arrays)
      for (std::int64_t k = 1; k <= plan.lags.at(x); ++k)
        init.push_back(starts[x][static_cast<std::size_t>(a - k)]);
    for (const auto& [name, k] : plan.sequences)
      sequences.push_back(graph::slice(env_.at(name).t, 0, a + k, b + k));
    if (plan.index_value) {  // t itself: a, ..., b-1
      std::vector<double> index(static_cast<std::size_t>(b - a));
      for (std::size_t k = 0; k < index.size(); ++k) index[k] = static_cast<double>(a) + k;
      sequences.push_back(graph::constant(m_->graph(), Shape{b - a}, std::move(index), DType::i64));
    }
    const auto trace = [&](const graph::ScanArgs& args) {
      return step(args, plan, lines, starts, from_data);
    };
    const graph::ScanResult r =
        at(loop.loc, [&] { return graph::scan(trace, init, sequences, {}, b - a); });
    at(loop.loc, [&] {  // every step's values are kept (Note [scan]): [b - a, W]
      model::check_fits_in_memory("the recurrence over " + loop.var, r.packed.shape(), floatx_);
      return 0;
    });
    // Each array: its start values, then its steps (x[t] is the carry x[t-1] of the next step).
    std::size_t carry = 0, output = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Statement& s = lines[i];
      const std::int64_t lag = plan.lags.at(s.name);
      Tensor steps = lag > 0 ? r.carries[carry] : r.outputs[output++];
      carry += static_cast<std::size_t>(lag);
      const auto& first = starts[s.name];
      Value v;
      v.from_data = from_data;
      v.t = first.empty() ? steps : at(s.loc, [&] {
        return graph::concat({graph::stack(first, 0), steps}, 0);
      });
      pending_.erase(s.name);
      define(s.name, s.name_loc, s.kind == Statement::Kind::deterministic ? recorded(s, v) : v);
    }
  }

  // One step of a loop, traced into the scan's body.
  graph::ScanStep step(const graph::ScanArgs& args, const LoopPlan& plan,
                       std::span<const Statement> lines,
                       const std::map<std::string, std::vector<Tensor>>& starts, bool& from_data) {
    Body body{args, plan, {}, {}, {}, std::nullopt, true};
    std::size_t c = 0;
    for (const std::string& x : plan.arrays)
      for (std::int64_t k = 1; k <= plan.lags.at(x); ++k) body.lagged[{x, k}] = args.carries[c++];
    for (std::size_t j = 0; j < plan.sequences.size(); ++j)
      body.rows[plan.sequences[j]] = args.sequences[j];
    if (plan.index_value) body.index = args.sequences.back();
    struct Restore {
      Body*& slot;
      ~Restore() { slot = nullptr; }
    } restore{body_};
    body_ = &body;
    graph::ScanStep out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Statement& s = lines[i];
      const Tensor x = to_floatx(expr(*s.value).t);
      const std::int64_t lag = plan.lags.at(s.name);
      const auto& first = starts.at(s.name);
      if (!first.empty() && x.shape() != first[0].shape())
        fail(s.loc, s.name + "[" + plan.var + "] has shape " + graph::shape_str(x.shape()) +
                        " but its start values have shape " + graph::shape_str(first[0].shape()));
      body.current[s.name] = x;
      if (lag == 0) out.outputs.push_back(x);
    }
    for (const std::string& x : plan.arrays) {
      const std::int64_t lag = plan.lags.at(x);
      if (lag == 0) continue;
      out.carries.push_back(body.current.at(x));
      for (std::int64_t k = 1; k < lag; ++k) out.carries.push_back(body.lagged.at({x, k}));
    }
    from_data = from_data && body.from_data;
    return out;
  }

  // In a loop's body, an outer value becomes a constant of the loop.
  Value inside(Value v) {
    if (!body_) return v;
    body_->from_data = body_->from_data && v.from_data;
    if (v.t.valid()) v.t = body_->args.capture(v.t);
    return v;
  }

  // x[t + k] in a loop's body, or a start value x[k] of an array a later recurrence defines;
  // nothing for any other subscript.
  std::optional<Value> element_read(const Expr& e) {
    if (e.items[0]->kind != Expr::Kind::name || e.subscripts.empty() || e.subscripts[0].slice)
      return std::nullopt;
    const std::string& name = e.items[0]->name;
    if (body_) {
      const KnownInt known = [this](const Expr& x) { return int_value(x); };
      const auto k = time_subscript(e.subscripts[0], body_->plan.var, known).offset;
      const auto& arrays = body_->plan.arrays;
      if (std::find(arrays.begin(), arrays.end(), name) != arrays.end()) {
        if (!k)
          fail(e.subscripts[0].loc, "inside its loop, '" + name + "' is read at a step minus a " +
                                        "constant, " + name + "[" + body_->plan.var +
                                        " - 1], not at " + to_source(*e.subscripts[0].index));
        Value v;
        v.t = *k < 0 ? body_->lagged.at({name, -*k}) : body_->current.at(name);
        return v;
      }
      if (k) {
        Value v;
        v.t = body_->rows.at({name, *k});
        v.from_data = env_.at(name).from_data;
        body_->from_data = body_->from_data && v.from_data;
        return v;
      }
    }
    const auto p = pending_.find(name);
    if (p == pending_.end()) return std::nullopt;
    const auto k = int_value(*e.subscripts[0].index);
    if (!k || !p->second.starts.count(*k))
      fail(e.loc, "'" + name + "' is defined by a recurrence below; before it, only its start " +
                      "values can be read (" + name + "[0], ...)");
    return inside(p->second.starts.at(*k).value);
  }

  // --- Statements ---

  void statement(const Statement& s) {
    switch (s.kind) {
      case Statement::Kind::data:
        return data(s);
      case Statement::Kind::sample:
        return sample(s);
      case Statement::Kind::deterministic: {
        if (s.element) return start_value(s);
        if (env_.count(s.name)) fail(s.loc, "'" + s.name + "' is already defined");
        define(s.name, s.name_loc, recorded(s, expr(*s.value)));
        return;
      }
      case Statement::Kind::let:
        if (s.element) return start_value(s);
        define(s.name, s.name_loc, expr(*s.value));
        return;
      case Statement::Kind::potential: {
        const Value v = expr(*s.value);
        at(s.loc, [&] {
          m_->potential(s.name, to_floatx(v.t));
          return 0;
        });
        return;
      }
    }
  }

  // v recorded in the trace as the deterministic s defines.
  Value recorded(const Statement& s, Value v) {
    if (functions().count(s.name) || s.name == "pi" || s.name == "inf")
      fail(s.name_loc, "'" + s.name + "' is a built-in name");
    v.t = at(s.loc, [&] { return m_->deterministic(s.name, v.t); });
    return v;
  }

  void data(const Statement& s) {
    const auto it = data_.find(s.name);
    if (it == data_.end()) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : data_) keys.push_back(k);
      fail(s.name_loc,
           "data '" + s.name + "' is missing from the data file" + suggest(s.name, keys));
    }
    const io::DataValue& d = it->second;
    const bool is_int = s.type == "int";
    Shape want;
    declaring_ = true;  // the sharded dimension may size a declaration
    for (const auto& dim : s.dims) {
      const auto n = int_value(*dim);
      if (!n) fail(dim->loc, "a dimension must be an integer or int data declared earlier");
      if (*n < 0) fail(dim->loc, "a dimension must not be negative");
      want.push_back(*n);
    }
    declaring_ = false;
    at(s.loc, [&] {
      model::check_fits_in_memory("data '" + s.name + "' as declared", want,
                                  is_int ? DType::i64 : floatx_);
      return 0;
    });
    if (d.shape != want)
      fail(s.loc, "data '" + s.name + "' is declared " + s.type + graph::shape_str(want) +
                      " but the data file gives shape " + graph::shape_str(d.shape));
    // An int declaration takes integral values, however written (3 or 3.0), exact in a double.
    const auto null =
        std::find_if(d.values.begin(), d.values.end(), [](double x) { return std::isnan(x); });
    if (is_int)
      for (std::size_t k = 0; k < d.values.size(); ++k) {
        const double x = d.values[k];
        if (std::isnan(x)) continue;
        const std::string at = s.name + position_str(k, d.shape);
        if (x != std::floor(x))
          fail(s.loc, "data '" + s.name + "' is declared int but " + at + " is " + number_str(x) +
                          " in the data file");
        if (std::abs(x) > kMaxExactInt)
          fail(s.loc, "data '" + s.name + "': " + at + " is " + number_str(x) +
                          ", an integer too large to be exact");
      }
    Value v;
    v.from_data = true;
    if (null != d.values.end()) {
      v.with_nulls = &d;
      v.null_at = static_cast<std::size_t>(null - d.values.begin());
      define(s.name, s.name_loc, v);
      declared_data_.insert(s.name);
      return;
    }
    const bool sharded = !shard_.dim.empty() && !s.dims.empty() &&
                         s.dims[0]->kind == Expr::Kind::name && s.dims[0]->name == shard_.dim;
    if (sharded && null != d.values.end())
      fail(s.loc, "data '" + s.name + "' has null entries; missing data cannot be sharded");
    v.t = sharded ? at(s.loc,
                       [&] {
                         return m_->data(shard_container_name(s.name), d.values, d.shape,
                                         is_int ? DType::i64 : floatx_);
                       })
                  : graph::constant(g(), d.shape, d.values, is_int ? DType::i64 : floatx_);
    if (is_int) v.known = std::make_shared<const std::vector<double>>(d.values);
    if (is_int && d.shape.empty()) v.int_scalar = static_cast<std::int64_t>(d.values[0]);
    define(s.name, s.name_loc, v);
    declared_data_.insert(s.name);
  }

  // A distribution as written, `Normal(0, 1, shape=J)`: its family, its arguments and the
  // options that belong to the variable. Distributions passed as arguments
  // (`init_dist=Normal(0, 10)`, `[Normal(m0, s0), Normal(m1, s1)]`) are read the same way.
  struct DistSpec {
    const distributions::Family* family;
    std::vector<distributions::NamedArg> args;
    model::RvOptions opts;
  };

  // `nested`: the distribution is an argument (init_dist=Normal(0, 10)), whose shape and
  // transform are the variable's, not its own.
  DistSpec dist_spec(const Expr& call, bool nested = false) {
    const distributions::Family* family = family_of(call);
    if (!family) fail(call.loc, "expected a distribution after '~'");
    DistSpec spec{family, {}, {}};
    std::set<std::string> seen;
    std::size_t position = 0;
    for (const Arg& a : call.args) {
      if (!a.keyword.empty() && !seen.insert(a.keyword).second)
        fail(a.loc, family->name + "(): keyword '" + a.keyword + "' is given twice");
      if (nested && (a.keyword == "shape" || a.keyword == "transform" || a.keyword == "observed"))
        fail(a.loc, a.keyword + "= belongs to the variable, not to a distribution argument");
      if (a.keyword == "shape") {
        spec.opts.shape = shape_of(*a.value);
      } else if (a.keyword == "transform") {
        if (a.value->kind != Expr::Kind::name)
          fail(a.value->loc,
               "transform= takes a name: log, logodds, interval, simplex, ordered or none");
        spec.opts.transform = a.value->name;
      } else if (a.keyword == "observed") {
        fail(a.loc, "write `NAME ~ Dist(...)` with NAME declared as data to observe it");
      } else {
        if (!a.keyword.empty() && std::find(family->keywords.begin(), family->keywords.end(),
                                            a.keyword) == family->keywords.end()) {
          std::vector<std::string> valid = family->keywords;
          valid.insert(valid.end(), {"shape", "transform"});
          fail(a.loc, distributions::unknown_parameter(*family, a.keyword, valid));
        }
        // A positional argument binds to the family's next parameter (too many: dist says so).
        std::string param = a.keyword;
        if (param.empty() && position < family->positional.size())
          param = family->positional[position++];
        spec.args.push_back(dist_arg(a, *family, param));
      }
    }
    return spec;
  }

  void sample(const Statement& s) {
    const Expr& call = *s.value;
    var_ = s.name;
    DistSpec spec = dist_spec(call);
    const model::RvOptions opts = spec.opts;
    const distributions::Distribution d(*spec.family, std::move(spec.args));
    auto found = env_.find(s.name);
    if (found != env_.end()) {
      // Data, or a let of data: an observed variable.
      if (!found->second.from_data)
        fail(s.name_loc,
             "'" + s.name + "' is already defined and is not data, so it cannot be observed");
      // PyMC's shape= beside observed=: accepted where it equals the data's shape.
      if (opts.transform)
        fail(keyword_loc(call, "transform"),
             "'" + s.name + "' is observed: transform= applies to free variables only");
      const Value data = found->second;
      const Shape& data_shape = data.with_nulls ? data.with_nulls->shape : data.t.shape();
      if (opts.shape && *opts.shape != data_shape)
        fail(keyword_loc(call, "shape"),
             "observed variable '" + s.name + "': shape= " + graph::shape_str(*opts.shape) +
                 " but its data have shape " + graph::shape_str(data_shape));
      if (!data.with_nulls) {
        at(s.loc, [&] { return m_->observe(s.name, d, data.t, {.shape = opts.shape}); });
        return;
      }
      // Null entries are imputed: from here on the name is the data with the imputed entries
      // in place (Note [missing data] in model/missing.cpp).
      Value full;
      full.t = at(s.loc, [&] {
        return m_->observe(s.name, d, data.with_nulls->values, data_shape, {.shape = opts.shape});
      });
      found->second = full;
      return;
    }
    const Tensor t = at(s.loc, [&] { return m_->rv(s.name, d, opts); });
    // A time series takes its length from steps= or shape=; without either it would be its
    // first value alone.
    const bool has_steps = std::any_of(call.args.begin(), call.args.end(),
                                       [](const Arg& a) { return a.keyword == "steps"; });
    const auto& kw = spec.family->keywords;
    if (std::find(kw.begin(), kw.end(), "steps") != kw.end() && !has_steps && !opts.shape &&
        !t.shape().empty() && t.shape().back() == 1)
      fail(call.loc, spec.family->name + " needs steps= or shape= for the length of the series");
    Value v;
    v.t = t;
    define(s.name, s.name_loc, v);
  }

  // Where the call's keyword argument is (the call itself if it has none).
  static Loc keyword_loc(const Expr& call, const std::string& keyword) {
    for (const Arg& a : call.args)
      if (a.keyword == keyword) return a.loc;
    return call.loc;
  }

  const distributions::Family* family_of(const Expr& call) {
    if (call.kind != Expr::Kind::call) return nullptr;
    const auto names = distributions::family_names();
    if (std::find(names.begin(), names.end(), call.name) == names.end()) {
      if (functions().count(call.name)) return nullptr;
      fail(call.loc,
           "unknown distribution '" + call.name + "'" +
               distributions::renamed_family(call.name).value_or(suggest(call.name, names)));
    }
    return &distributions::family(call.name);
  }

  // A call of a distribution, or of an unknown name (read as a misspelt distribution where a
  // distribution argument could stand).
  bool is_distribution(const Expr& e) const {
    return e.kind == Expr::Kind::call && functions().count(e.name) == 0 && env_.count(e.name) == 0;
  }

  // An argument of a distribution: a value, or a distribution (or a list of them) where the
  // family's parameter takes one (Note [distributions as arguments] in
  // distributions/distribution.hpp).
  distributions::NamedArg dist_arg(const Arg& a, const distributions::Family& family,
                                   const std::string& param) {
    const Expr& v = *a.value;
    const Expr* inner = is_distribution(v) ? &v : nullptr;
    if (!inner && v.kind == Expr::Kind::list)
      for (const auto& item : v.items)
        if (is_distribution(*item)) {
          inner = item.get();
          break;
        }
    const std::string named = family.name + ": parameter '" + param + "'";
    if (!param.empty() && family.takes_distribution(param)) {
      if (!inner)
        fail(v.loc, named + " takes a distribution, e.g. " + param + "=Normal(0, 1)" +
                        (family.takes_list(param) ? " or a list of them" : ""));
      if (inner == &v) return {a.keyword, distributions::Arg(nested_distribution(v))};
      if (!family.takes_list(param)) fail(v.loc, named + " takes one distribution, not a list");
      std::vector<distributions::Distribution> items;
      for (const auto& item : v.items) {
        if (!is_distribution(*item))
          fail(item->loc, named + " takes a list of distributions; this item is not one");
        items.push_back(nested_distribution(*item));
      }
      return {a.keyword, distributions::Arg(items)};
    }
    if (inner) {
      dist_spec(*inner, true);  // a misspelt distribution says so first
      fail(inner->loc, (param.empty() ? family.name + ": this argument" : named) +
                           " takes a value, not a distribution");
    }
    // PyMC's booleans (AR's constant=True) as 1 and 0.
    if (v.kind == Expr::Kind::name && (v.name == "True" || v.name == "False") &&
        env_.count(v.name) == 0)
      return {a.keyword, distributions::Arg(v.name == "True" ? 1.0 : 0.0)};
    if (v.kind == Expr::Kind::number) return {a.keyword, distributions::Arg(v.number)};
    return {a.keyword, distributions::Arg(expr(v).t)};
  }

  distributions::Distribution nested_distribution(const Expr& call) {
    DistSpec spec = dist_spec(call, true);
    return distributions::Distribution(*spec.family, std::move(spec.args));
  }

  Shape shape_of(const Expr& e) {
    Shape s;
    if (e.kind == Expr::Kind::tuple || e.kind == Expr::Kind::list) {
      for (const auto& item : e.items) {
        const auto n = int_value(*item);
        if (!n || *n < 0) fail(item->loc, "shape= takes non-negative integers or int data");
        s.push_back(*n);
      }
      return checked_size(s, e.loc);
    }
    const auto n = int_value(e);
    if (!n || *n < 0) fail(e.loc, "shape= takes an integer, int data or a tuple (J, K)");
    s = {*n};
    return checked_size(s, e.loc);
  }

  // A shape whose values fit in this machine's memory, refused here (at shape=) before
  // anything is allocated.
  Shape checked_size(const Shape& s, Loc loc) {
    at(loc, [&] {
      model::check_fits_in_memory("variable '" + var_ + "'", s, floatx_);
      return 0;
    });
    return s;
  }

  // --- Expressions ---

  // The value of an integer expression known now: literals, int data scalars, + - * //.
  std::optional<std::int64_t> int_value(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::number:
        if (e.integer) return exact_int(e.number);
        return std::nullopt;
      case Expr::Kind::name: {
        refuse_shard_dim(e);
        if (body_ && e.name == body_->plan.var) return std::nullopt;  // a loop's t varies
        auto it = env_.find(e.name);
        if (it == env_.end()) {
          if (data_.count(e.name) == 0) unknown_name(e);
          return std::nullopt;
        }
        refuse_nulls(e, it->second);
        return it->second.int_scalar;
      }
      case Expr::Kind::unary: {
        auto v = int_value(*e.items[0]);
        if (v) return int_negate(*v);
        return std::nullopt;
      }
      case Expr::Kind::binary: {
        auto a = int_value(*e.items[0]), b = int_value(*e.items[1]);
        if (!a || !b) return std::nullopt;
        return int_arith(e.name, *a, *b);
      }
      default:
        return std::nullopt;
    }
  }

  // The sharded dimension is each shard's own row count: it may size data declarations only.
  void refuse_shard_dim(const Expr& e) const {
    if (shard_.dim.empty() || declaring_ || e.name != shard_.dim) return;
    fail(e.loc, "'" + e.name +
                    "' is the dimension the data are sharded by: it may size data "
                    "declarations (data y: real[" +
                    e.name +
                    "]) but not be used in the model, where "
                    "each shard would see its own row count");
  }

  // Data with null entries used as a value (in an expression, a size, an index, a let).
  void refuse_nulls(const Expr& e, const Value& v) const {
    if (!v.with_nulls) return;
    const Shape& shape = v.with_nulls->shape;
    const std::string what =
        shape.empty() ? " is null" : ": entry " + position_str(v.null_at, shape) + " is null";
    fail(e.loc, "data '" + e.name + "'" + what +
                    "; only the data of an observed variable may have missing entries");
  }

  [[noreturn]] void unknown_name(const Expr& e) {
    std::vector<std::string> known = {"pi", "inf"};
    for (const auto& [k, v] : env_) known.push_back(k);
    if (functions().count(e.name))
      fail(e.loc, "'" + e.name + "' is a function; call it: " + e.name + "(...)");
    const auto names = distributions::family_names();
    if (std::find(names.begin(), names.end(), e.name) != names.end())
      fail(e.loc, "'" + e.name + "' is a distribution; use it after '~'");
    for (const Statement& s : p_.statements)
      if (s.name == e.name && s.kind != Statement::Kind::potential &&
          (s.loc.line > e.loc.line || (s.loc.line == e.loc.line && s.loc.col > e.loc.col)))
        fail(e.loc, "'" + e.name + "' is used before it is defined (on line " +
                        std::to_string(s.loc.line) + "); a name is defined before its use");
    fail(e.loc, "unknown name '" + e.name + "'" + suggest(e.name, known));
  }

  Value constant(double v) {
    Value out;
    out.t = graph::constant(g(), v, floatx_);
    out.from_data = true;
    return out;
  }

  Value expr(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::number: {
        Value v = constant(e.number);
        if (e.integer) v.int_scalar = exact_int(e.number);
        return v;
      }
      case Expr::Kind::name: {
        if (e.name == "pi") return constant(std::numbers::pi);
        if (e.name == "inf") return constant(std::numeric_limits<double>::infinity());
        refuse_shard_dim(e);
        if (body_) {
          const auto& arrays = body_->plan.arrays;
          if (e.name == body_->plan.var) {
            Value v;
            v.from_data = true;
            v.t = *body_->index;
            return v;
          }
          if (std::find(arrays.begin(), arrays.end(), e.name) != arrays.end())
            fail(e.loc, "inside its loop, '" + e.name + "' is read at a step: " + e.name + "[" +
                            body_->plan.var + " - 1]");
        }
        if (pending_.count(e.name))
          fail(e.loc, "'" + e.name + "' is defined by a recurrence below; before it, only its " +
                          "start values can be read (" + e.name + "[0], ...)");
        auto it = env_.find(e.name);
        if (it == env_.end()) unknown_name(e);
        refuse_nulls(e, it->second);
        return inside(it->second);
      }
      case Expr::Kind::list:
        return list(e);
      case Expr::Kind::tuple:
        fail(e.loc, "a tuple is only a shape: shape=(J, K)");
      case Expr::Kind::unary: {
        Value v = expr(*e.items[0]);
        v.t = at(e.loc, [&] { return graph::neg(v.t); });
        if (v.int_scalar) v.int_scalar = int_negate(*v.int_scalar);
        if (v.known) {
          auto k = std::make_shared<std::vector<double>>(*v.known);
          for (double& x : *k) x = -x;
          v.known = k;
        }
        return v;
      }
      case Expr::Kind::binary:
        return binary(e);
      case Expr::Kind::call:
        return call(e);
      case Expr::Kind::index:
        return index(e);
    }
    fail(e.loc, "unsupported expression");
  }

  // A list of numbers (or of equal-shaped lists of numbers) as its shape and values, row-major;
  // nothing when an item is anything else.
  static bool literal_array(const Expr& e, Shape& shape, std::vector<double>& values,
                            std::size_t depth) {
    if (e.kind == Expr::Kind::number ||
        (e.kind == Expr::Kind::unary && e.items[0]->kind == Expr::Kind::number)) {
      if (depth != shape.size()) return false;
      values.push_back(e.kind == Expr::Kind::number ? e.number : -e.items[0]->number);
      return true;
    }
    if (e.kind != Expr::Kind::list || e.items.empty()) return false;
    const auto n = static_cast<std::int64_t>(e.items.size());
    if (depth == shape.size()) {
      if (!values.empty()) return false;  // a list where earlier rows had a number
      shape.push_back(n);
    } else if (depth > shape.size() || shape[depth] != n) {
      return false;
    }
    for (const auto& item : e.items)
      if (!literal_array(*item, shape, values, depth + 1)) return false;
    return true;
  }

  Value list(const Expr& e) {
    if (e.items.empty()) fail(e.loc, "an empty list has no shape");
    Shape shape;
    std::vector<double> values;
    if (literal_array(e, shape, values, 0)) {  // [0.2, 0.5, 0.3], [[2, 0.5], [0.5, 1]]
      Value out;
      out.from_data = true;
      out.t = graph::constant(g(), std::move(shape), std::move(values), floatx_);
      return out;
    }
    std::vector<Tensor> parts;
    bool from_data = true;
    for (const auto& item : e.items) {
      Value v = expr(*item);
      from_data = from_data && v.from_data;
      if (!parts.empty() && v.t.shape() != parts[0].shape())
        fail(item->loc, "list items must have one shape: this one has " +
                            graph::shape_str(v.t.shape()) + ", the first " +
                            graph::shape_str(parts[0].shape()));
      parts.push_back(as_float(v.t));
    }
    Value out;
    out.from_data = from_data;
    out.t = at(e.loc, [&] { return graph::stack(parts, 0); });
    return out;
  }

  // An integer literal (or a sum of them) as an int constant, so that it keeps int arithmetic
  // int: `county - 1` is still an index array.
  Value as_int_constant(const Value& v) {
    Value out = v;
    out.t = graph::constant(g(), static_cast<double>(*v.int_scalar), DType::i64);
    out.known = std::make_shared<const std::vector<double>>(1, static_cast<double>(*v.int_scalar));
    return out;
  }

  // The elements of a op b when both are known ints of the same shape or one is a scalar.
  static Known known_arith(const std::string& op, const Value& a, const Value& b) {
    if (!a.known || !b.known || (op != "+" && op != "-" && op != "*")) return nullptr;
    const auto &x = *a.known, &y = *b.known;
    if (x.size() != y.size() && x.size() != 1 && y.size() != 1) return nullptr;
    if (x.size() == y.size() && a.t.shape() != b.t.shape()) return nullptr;
    const std::size_t n = std::max(x.size(), y.size());
    auto out = std::make_shared<std::vector<double>>(n);
    for (std::size_t k = 0; k < n; ++k) {
      const double u = x[x.size() == 1 ? 0 : k], w = y[y.size() == 1 ? 0 : k];
      (*out)[k] = op == "+" ? u + w : op == "-" ? u - w : u * w;
      if (std::abs((*out)[k]) > kMaxExactInt) return nullptr;
    }
    return out;
  }

  Value binary(const Expr& e) {
    Value a = expr(*e.items[0]), b = expr(*e.items[1]);
    const auto literal = [](const Value& v) { return v.int_scalar && is_float(v.t); };
    if (e.name != "/" && e.name != "**" && e.name != "@") {
      if (a.t.dtype() == DType::i64 && literal(b)) b = as_int_constant(b);
      if (b.t.dtype() == DType::i64 && literal(a)) a = as_int_constant(a);
    }
    Value out;
    out.from_data = a.from_data && b.from_data;
    const std::string& op = e.name;
    out.t = at(e.loc, [&]() -> Tensor {
      if (op == "+") return a.t + b.t;
      if (op == "-") return a.t - b.t;
      if (op == "*") return a.t * b.t;
      if (op == "/") return as_float(a.t) / as_float(b.t);
      if (op == "**") return graph::pow(as_float(a.t), as_float(b.t));
      if (op == "@") return graph::matmul(as_float(a.t), as_float(b.t));
      if (op == "<") return graph::less(a.t, b.t);
      if (op == "<=") return graph::less_equal(a.t, b.t);
      if (op == ">") return graph::greater(a.t, b.t);
      if (op == ">=") return graph::greater_equal(a.t, b.t);
      if (op == "==") return graph::equal(a.t, b.t);
      return graph::not_equal(a.t, b.t);
    });
    if (a.int_scalar && b.int_scalar) {
      out.int_scalar = int_arith(op, *a.int_scalar, *b.int_scalar);
    }
    if (out.t.dtype() == DType::i64) out.known = known_arith(op, a, b);
    return out;
  }

  Tensor as_float(const Tensor& t) { return is_float(t) ? t : graph::cast(t, floatx_); }
  Tensor to_floatx(const Tensor& t) { return t.dtype() == floatx_ ? t : graph::cast(t, floatx_); }

  Value call(const Expr& e) {
    const auto& fns = functions();
    const auto it = fns.find(e.name);
    if (it == fns.end()) {
      const auto names = distributions::family_names();
      if (std::find(names.begin(), names.end(), e.name) != names.end())
        fail(e.loc, "'" + e.name + "' is a distribution; use it after '~'");
      if (env_.count(e.name) || e.name == "pi" || e.name == "inf")
        fail(e.loc, "'" + e.name + "' is a value, not a function");
      std::vector<std::string> known;
      for (const auto& [k, v] : fns) known.push_back(k);
      fail(e.loc, "unknown function '" + e.name + "'" + suggest(e.name, known));
    }
    const Function& f = it->second;
    std::vector<Tensor> args;
    std::vector<std::int64_t> ints;
    bool from_data = true;
    for (std::size_t k = 0; k < e.args.size(); ++k) {
      const Arg& a = e.args[k];
      if (!a.keyword.empty()) fail(a.loc, e.name + "() takes no keyword arguments");
      if (k >= f.tensors) {  // an integer argument (an axis)
        const auto n = int_value(*a.value);
        if (!n)
          fail(a.value->loc,
               e.name + "(): argument " + std::to_string(k + 1) + " must be an integer");
        ints.push_back(*n);
        continue;
      }
      if (f.list_argument) {
        if (a.value->kind != Expr::Kind::list)
          fail(a.value->loc, e.name + "() takes a list: " + e.name + "([a, b])");
        for (const auto& item : a.value->items) {
          Value v = expr(*item);
          from_data = from_data && v.from_data;
          args.push_back(as_float(v.t));
        }
        continue;
      }
      Value v = expr(*a.value);
      from_data = from_data && v.from_data;
      args.push_back(v.t);
    }
    const std::size_t given = e.args.size();
    if (given < f.min_args || given > f.max_args)
      fail(e.loc, e.name + "() takes " +
                      (f.min_args == f.max_args
                           ? std::to_string(f.min_args)
                           : std::to_string(f.min_args) + " to " + std::to_string(f.max_args)) +
                      " argument" + (f.max_args == 1 ? "" : "s") + ", " + std::to_string(given) +
                      " given");
    Value out;
    out.from_data = from_data;
    out.t = at(e.loc, [&] { return f.apply(g(), args, ints, floatx_); });
    return out;
  }

  Value index(const Expr& e) {
    const std::optional<Value> element = element_read(e);
    Value v = element ? *element : expr(*e.items[0]);
    v.known = nullptr;  // x[...] of int data is a constant the graph folds: see index()
    std::int64_t axis = 0;
    for (const Subscript& s : e.subscripts) {
      if (element && &s == &e.subscripts[0]) continue;  // the element's subscript
      if (axis >= static_cast<std::int64_t>(v.t.rank()))
        fail(s.loc, "too many subscripts for a value of shape " + graph::shape_str(v.t.shape()));
      if (s.slice) {
        const auto part = [&](const ExprPtr& p) -> std::optional<std::int64_t> {
          if (!p) return std::nullopt;
          auto n = int_value(*p);
          if (!n)
            fail(p->loc, "slice bounds and steps must be integers known when the model is built");
          return n;
        };
        const auto start = part(s.start), stop = part(s.stop), step = part(s.step);
        v.t = at(s.loc, [&] { return graph::slice(v.t, axis, start, stop, step.value_or(1)); });
        ++axis;
        continue;
      }
      if (auto i = int_value(*s.index)) {
        const std::int64_t n = v.t.shape()[static_cast<std::size_t>(axis)];
        if (*i < -n || *i >= n)
          fail(s.loc, "index " + std::to_string(*i) + " is out of range for an axis of length " +
                          std::to_string(n));
        const std::int64_t k = *i < 0 ? *i + n : *i;
        v.t = at(s.loc, [&] {
          Tensor sl = graph::slice(v.t, axis, k, k + 1);
          Shape shape = sl.shape();
          shape.erase(shape.begin() + axis);
          return graph::reshape(sl, shape);
        });
        continue;
      }
      Value idx = index_array(*s.index);
      if (idx.t.dtype() != DType::i64)
        fail(s.loc, "an index array must be int data (got " +
                        std::string(graph::dtype_name(idx.t.dtype())) + ")");
      if (axis != 0) fail(s.loc, "an index array can only index the first axis");
      if (!idx.known && idx.t.is_constant())  // folded by the graph: x[idx[1:] - 1]
        idx.known = std::make_shared<const std::vector<double>>(*idx.t.node().attrs.data);
      if (idx.known) check_indices(idx, e, s, v.t.shape()[0]);
      v.from_data = v.from_data && idx.from_data;
      v.t = at(s.loc, [&] { return graph::gather(v.t, idx.t); });
      axis += static_cast<std::int64_t>(idx.t.rank());
    }
    return v;
  }

  // The value of an index array: an expression, or a list of integers (`x[[0, 2]]`).
  Value index_array(const Expr& e) {
    if (e.kind != Expr::Kind::list) return expr(e);
    std::vector<double> items;
    for (const auto& item : e.items) {
      const auto n = int_value(*item);
      if (!n) return expr(e);
      items.push_back(static_cast<double>(*n));
    }
    Value v;
    v.from_data = true;
    v.t = graph::constant(g(), Shape{static_cast<std::int64_t>(items.size())}, items, DType::i64);
    v.known = std::make_shared<const std::vector<double>>(std::move(items));
    return v;
  }

  // Every known index within [-n, n) of the axis it indexes; negative ones count from the end,
  // as NumPy's do, and are replaced by their positive equivalents.
  void check_indices(Value& idx, const Expr& e, const Subscript& s, std::int64_t n) {
    const std::vector<double>& k = *idx.known;
    bool negative = false;
    for (std::size_t i = 0; i < k.size(); ++i) {
      if (k[i] < static_cast<double>(-n) || k[i] >= static_cast<double>(n)) {
        const std::string array = to_source(*s.index), base = to_source(*e.items[0]);
        const bool plain =
            s.index->kind != Expr::Kind::binary && s.index->kind != Expr::Kind::unary;
        fail(s.loc, "index " + number_str(k[i]) + " at " + (plain ? array : "(" + array + ")") +
                        position_str(i, idx.t.shape()) + " is out of range for " + base +
                        " (axis 0 has length " + std::to_string(n) + ")");
      }
      negative = negative || k[i] < 0;
    }
    if (!negative) return;
    if (!idx.t.is_constant())  // computed: wrap at run time
      idx.t = graph::where(graph::less(idx.t, graph::constant(g(), 0.0, DType::i64)),
                           idx.t + graph::constant(g(), static_cast<double>(n), DType::i64), idx.t);
    auto wrapped = std::make_shared<std::vector<double>>(k);
    for (double& x : *wrapped)
      if (x < 0) x += static_cast<double>(n);
    if (idx.t.is_constant()) idx.t = graph::constant(g(), idx.t.shape(), *wrapped, DType::i64);
    idx.known = wrapped;
  }

  const Program& p_;
  const io::DataSet& data_;
  std::unique_ptr<model::Model> m_;
  DType floatx_;
  std::map<std::string, Value> env_;
  std::set<std::string> declared_data_;
  ShardOptions shard_;
  bool declaring_ = false;
  std::map<std::string, Pending> pending_;  // arrays with start values, awaiting their loop
  Body* body_ = nullptr;                    // the loop body being traced, if any
  std::string var_;  // the variable whose distribution is being read, for messages
};

}  // namespace

std::unique_ptr<model::Model> build(const Program& program, const io::DataSet& data, DType floatx,
                                    const ShardOptions& shard) {
  return Builder(program, data, floatx, shard).run();
}

std::vector<std::string> data_sharded_by(const Program& program, const std::string& dim) {
  std::vector<std::string> out;
  for (const Statement& s : program.statements)
    if (s.kind == Statement::Kind::data && !s.dims.empty() && s.dims[0]->kind == Expr::Kind::name &&
        s.dims[0]->name == dim)
      out.push_back(s.name);
  return out;
}

std::string shard_container_name(const std::string& data_name) {
  return data_name + " (shard)";
}

std::vector<graph::NodeId> shard_inputs(const model::Model& m,
                                        const std::vector<std::string>& arrays) {
  std::vector<graph::NodeId> ids;
  for (const std::string& name : arrays)
    for (const auto& d : m.data_vars())
      if (d.name == shard_container_name(name)) ids.push_back(d.input.id());
  return ids;
}

}  // namespace stochos::lang
