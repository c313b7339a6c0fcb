// The syntax of recurrences (Note [recurrences] in lang/recurrence.hpp).
#include "lang/recurrence.hpp"

namespace stochos::lang {

namespace {

bool is_name(const Expr& e, const std::string& name) {
  return e.kind == Expr::Kind::name && e.name == name;
}

// Calls f on every child expression of e.
template <class F>
void for_children(const Expr& e, F&& f) {
  for (const auto& item : e.items) f(*item);
  for (const auto& a : e.args) f(*a.value);
  for (const auto& s : e.subscripts)
    for (const ExprPtr* p : {&s.index, &s.start, &s.stop, &s.step})
      if (*p) f(**p);
}

// The first subscript of an index expression when it is a step subscript (var + k).
std::optional<std::int64_t> step_offset(const Expr& e, const std::string& var,
                                        const KnownInt& known) {
  if (e.kind != Expr::Kind::index || e.subscripts.empty()) return std::nullopt;
  return time_subscript(e.subscripts[0], var, known).offset;
}

}  // namespace

bool mentions(const Expr& e, const std::string& name) {
  if (is_name(e, name)) return true;
  bool found = false;
  for_children(e, [&](const Expr& c) { found = found || mentions(c, name); });
  return found;
}

TimeSubscript time_subscript(const Subscript& s, const std::string& var, const KnownInt& known) {
  TimeSubscript out;
  if (s.slice || !s.index) {
    for (const ExprPtr* p : {&s.start, &s.stop, &s.step})
      if (*p && mentions(**p, var)) out.is_time = true;
    return out;
  }
  const Expr& i = *s.index;
  if (!mentions(i, var)) return out;
  out.is_time = true;
  if (is_name(i, var)) {
    out.offset = 0;
    return out;
  }
  if (i.kind != Expr::Kind::binary || (i.name != "+" && i.name != "-")) return out;
  const Expr &l = *i.items[0], &r = *i.items[1];
  if (is_name(l, var) && !mentions(r, var)) {
    if (auto k = known(r)) out.offset = i.name == "+" ? *k : -*k;
  } else if (i.name == "+" && is_name(r, var) && !mentions(l, var)) {
    out.offset = known(l);
  }
  return out;
}

std::vector<TimeRead> time_reads(const Expr& e, const std::string& var, const KnownInt& known) {
  std::vector<TimeRead> out;
  const std::function<void(const Expr&)> walk = [&](const Expr& x) {
    if (auto k = step_offset(x, var, known); k && x.items[0]->kind == Expr::Kind::name)
      out.push_back({&x, x.items[0]->name, *k});
    for_children(x, walk);
  };
  walk(e);
  return out;
}

bool uses_index_value(const Expr& e, const std::string& var, const KnownInt& known) {
  if (is_name(e, var)) return true;
  bool found = false;
  // A step subscript's own `t` is not a use of the index's value when it reads a named array
  // (the builder reads those rows directly); `(y + 1)[t]` reads its row by the index's value.
  const bool step = e.kind == Expr::Kind::index && e.items[0]->kind == Expr::Kind::name &&
                    step_offset(e, var, known).has_value();
  for (const auto& item : e.items) found = found || uses_index_value(*item, var, known);
  for (const auto& a : e.args) found = found || uses_index_value(*a.value, var, known);
  for (std::size_t k = 0; k < e.subscripts.size(); ++k) {
    if (step && k == 0) continue;
    const Subscript& s = e.subscripts[k];
    for (const ExprPtr* p : {&s.index, &s.start, &s.stop, &s.step})
      if (*p) found = found || uses_index_value(**p, var, known);
  }
  return found;
}

}  // namespace stochos::lang
