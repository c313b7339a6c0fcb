// The syntax tree as text (for messages) and what a program declares (for the CLI).
#include <cmath>
#include <cstdio>

#include "lang/lang.hpp"

namespace stochos::lang {

namespace {

constexpr std::size_t kMaxShown = 60;

int precedence(const Expr& e) {
  if (e.kind == Expr::Kind::unary) return 4;
  if (e.kind != Expr::Kind::binary) return 6;
  const std::string& op = e.name;
  if (op == "**") return 5;
  if (op == "*" || op == "/" || op == "@") return 3;
  if (op == "+" || op == "-") return 2;
  return 1;
}

std::string number_text(const Expr& e) {
  if (e.integer && std::abs(e.number) < 1e15) {
    return std::to_string(static_cast<long long>(e.number));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", e.number);
  return buf;
}

void show(const Expr& e, std::string& out);

void show_operand(const Expr& e, int parent, bool right, std::string& out) {
  const int p = precedence(e);
  // Left-associative operators need brackets for an equal right operand; ** for a left one.
  const bool brackets =
      p < parent || (p == parent && parent < 5 && right) || (p == parent && parent == 5 && !right);
  if (brackets) out += '(';
  show(e, out);
  if (brackets) out += ')';
}

void show_list(const std::vector<ExprPtr>& items, std::string& out) {
  for (std::size_t k = 0; k < items.size() && out.size() <= kMaxShown; ++k) {
    if (k) out += ", ";
    show(*items[k], out);
  }
}

void show(const Expr& e, std::string& out) {
  if (out.size() > kMaxShown) return;
  switch (e.kind) {
    case Expr::Kind::number:
      out += number_text(e);
      return;
    case Expr::Kind::name:
      out += e.name;
      return;
    case Expr::Kind::list:
      out += '[';
      show_list(e.items, out);
      out += ']';
      return;
    case Expr::Kind::tuple:
      out += '(';
      show_list(e.items, out);
      out += ')';
      return;
    case Expr::Kind::unary:  // -a**2, --a, -(a + b)
      out += '-';
      show_operand(*e.items[0], e.items[0]->kind == Expr::Kind::unary ? 0 : 4, true, out);
      return;
    case Expr::Kind::binary: {
      const int p = precedence(e);
      show_operand(*e.items[0], p, false, out);
      out += e.name == "**" ? "**" : " " + e.name + " ";
      // x**-1: a unary right operand of ** needs no brackets.
      const bool unary_exponent = e.name == "**" && e.items[1]->kind == Expr::Kind::unary;
      show_operand(*e.items[1], unary_exponent ? 0 : p, true, out);
      return;
    }
    case Expr::Kind::call:
      out += e.name;
      out += '(';
      for (std::size_t k = 0; k < e.args.size() && out.size() <= kMaxShown; ++k) {
        if (k) out += ", ";
        if (!e.args[k].keyword.empty()) out += e.args[k].keyword + "=";
        show(*e.args[k].value, out);
      }
      out += ')';
      return;
    case Expr::Kind::index:
      show_operand(*e.items[0], 6, false, out);
      out += '[';
      for (std::size_t k = 0; k < e.subscripts.size() && out.size() <= kMaxShown; ++k) {
        const Subscript& s = e.subscripts[k];
        if (k) out += ", ";
        if (!s.slice) {
          show(*s.index, out);
          continue;
        }
        if (s.start) show(*s.start, out);
        out += ':';
        if (s.stop) show(*s.stop, out);
        if (s.step) {
          out += ':';
          show(*s.step, out);
        }
      }
      out += ']';
      return;
  }
}

}  // namespace

std::string to_source(const Expr& e) {
  std::string out;
  show(e, out);
  if (out.size() > kMaxShown) out = out.substr(0, kMaxShown) + "...";
  return out;
}

std::vector<DataDeclaration> data_declarations(const Program& program) {
  std::vector<DataDeclaration> out;
  for (const Statement& s : program.statements) {
    if (s.kind != Statement::Kind::data) continue;
    DataDeclaration d{s.name, s.type, {}, s.name_loc};
    for (const auto& dim : s.dims) d.dims.push_back(to_source(*dim));
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> deterministic_names(const Program& program) {
  std::vector<std::string> out;
  for (const Statement& s : program.statements)
    if (s.kind == Statement::Kind::deterministic && (!s.element || s.loop))  // not x[0] = ...
      out.push_back(s.name);
  return out;
}

std::vector<std::string> random_variable_names(const Program& program) {
  std::vector<std::string> out;
  for (const Statement& s : program.statements)
    if (s.kind == Statement::Kind::sample) out.push_back(s.name);
  return out;
}

}  // namespace stochos::lang
