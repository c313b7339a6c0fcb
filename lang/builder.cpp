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

#include "lang/functions.hpp"
#include "lang/lang.hpp"
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
    for (const Statement& s : p_.statements) statement(s);
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
  graph::Graph& g() { return m_->graph(); }

  void define(const std::string& name, Loc loc, Value v) {
    if (env_.count(name)) fail(loc, "'" + name + "' is already defined");
    env_[name] = std::move(v);
  }

  // --- Statements ---

  void statement(const Statement& s) {
    switch (s.kind) {
      case Statement::Kind::data:
        return data(s);
      case Statement::Kind::sample:
        return sample(s);
      case Statement::Kind::deterministic: {
        if (env_.count(s.name)) fail(s.loc, "'" + s.name + "' is already defined");
        Value v = expr(*s.value);
        if (functions().count(s.name) || s.name == "pi" || s.name == "inf")
          fail(s.name_loc, "'" + s.name + "' is a built-in name");
        v.t = at(s.loc, [&] { return m_->deterministic(s.name, v.t); });
        define(s.name, s.name_loc, v);
        return;
      }
      case Statement::Kind::let:
        define(s.name, s.name_loc, expr(*s.value));
        return;
      case Statement::Kind::potential: {
        const Value v = expr(*s.value);
        at(s.loc, [&] {
          m_->potential(s.name, v.t.dtype() == floatx_ ? v.t : graph::cast(v.t, floatx_));
          return 0;
        });
        return;
      }
    }
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
        auto it = env_.find(e.name);
        if (it == env_.end()) unknown_name(e);
        refuse_nulls(e, it->second);
        return it->second;
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
    Value v = expr(*e.items[0]);
    v.known = nullptr;  // x[...] of int data is a constant the graph folds: see index()
    std::int64_t axis = 0;
    for (const Subscript& s : e.subscripts) {
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
