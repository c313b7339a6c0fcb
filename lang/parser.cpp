// Lexer and recursive-descent parser with precedence climbing. Statements end at a newline
// outside brackets; `#` starts a comment. Precedence, lowest first: comparisons; + -; * / @;
// unary -; ** (right-associative, so -x**2 is -(x**2) and 2**-1 works); calls and subscripts.
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "distributions/distribution.hpp"
#include "lang/lang.hpp"
#include "lang/suggest.hpp"
#include "stochos/error.hpp"

namespace stochos::lang {

std::string located(const std::string& file, Loc loc, const std::string& what) {
  return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + ": error: " + what;
}

namespace {

// Brackets and unary operators nest at most kMaxDepth deep (the parser recurses on them); an
// expression tree is at most kMaxHeight levels high (the builder recurses on it), which bounds
// the long flat chains (1 + 1 + ... + 1, x[0][0]...) the parser builds in loops.
constexpr int kMaxDepth = 200;
constexpr int kMaxHeight = 500;

struct Token {
  enum class Kind { name, number, op, newline, end } kind;
  std::string text;
  Loc loc;
  double number = 0;
  bool integer = false;
};

class Lexer {
 public:
  Lexer(std::string_view src, const std::string& file) : src_(src), file_(file) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    int depth = 0;
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      const Loc loc{line_, col_};
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') advance();
      } else if (c == '\n') {
        if (depth == 0) out.push_back({Token::Kind::newline, "newline", loc});
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::string s;
        while (pos_ < src_.size() &&
               (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_'))
          s += advance();
        out.push_back({Token::Kind::name, s, loc});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && pos_ + 1 < src_.size() &&
                  std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])))) {
        out.push_back(number(loc));
      } else {
        static const char* const kOps[] = {"**", "<=", ">=", "==", "!=", "(", ")", "[", "]", ",",
                                           ":",  "=",  "~",  "+",  "-",  "*", "/", "@", "<", ">"};
        std::string op;
        for (const char* o : kOps)
          if (src_.substr(pos_, std::char_traits<char>::length(o)) == o) {
            op = o;
            break;
          }
        if (op.empty()) {
          const auto u = static_cast<unsigned char>(c);
          std::string shown = std::isprint(u) ? std::string("'") + c + "'" : "byte 0x" + hex(u);
          throw InputError(located(file_, loc, "unexpected character " + shown));
        }
        for (std::size_t k = 0; k < op.size(); ++k) advance();
        if (op == "(" || op == "[") {
          stack_.push_back({op[0], loc});
          ++depth;
        } else if (op == ")" || op == "]") {
          if (stack_.empty() || (op == ")" ? '(' : '[') != stack_.back().first)
            throw InputError(located(file_, loc, "'" + op + "' has no matching opening bracket"));
          stack_.pop_back();
          --depth;
        }
        out.push_back({Token::Kind::op, op, loc});
      }
    }
    if (!stack_.empty())
      throw InputError(located(file_, stack_.back().second,
                               std::string("'") + stack_.back().first + "' is never closed"));
    out.push_back({Token::Kind::newline, "newline", {line_, col_}});
    out.push_back({Token::Kind::end, "end of file", {line_, col_}});
    return out;
  }

 private:
  static std::string hex(unsigned v) {
    const char* d = "0123456789abcdef";
    return std::string{d[v >> 4], d[v & 15]};
  }
  char advance() {
    const char c = src_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    return c;
  }
  Token number(Loc loc) {
    std::string s;
    bool integer = true;
    while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_])))
      s += advance();
    if (pos_ < src_.size() && src_[pos_] == '.') {
      integer = false;
      s += advance();
      while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_])))
        s += advance();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      integer = false;
      s += advance();
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) s += advance();
      if (pos_ >= src_.size() || !std::isdigit(static_cast<unsigned char>(src_[pos_])))
        throw InputError(located(file_, loc, "malformed number '" + s + "'"));
      while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_])))
        s += advance();
    }
    errno = 0;
    const double v = std::strtod(s.c_str(), nullptr);
    if (errno == ERANGE && std::abs(v) > 1)
      throw InputError(located(file_, loc, "number '" + s + "' is too large"));
    Token t{Token::Kind::number, s, loc, v, integer};
    return t;
  }

  std::string_view src_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  std::vector<std::pair<char, Loc>> stack_;
};

class Parser {
 public:
  Parser(std::vector<Token> t, const std::string& file) : t_(std::move(t)), file_(file) {}

  Program program() {
    Program p;
    p.filename = file_;
    while (peek().kind != Token::Kind::end) {
      if (peek().kind == Token::Kind::newline) {
        next();
        continue;
      }
      p.statements.push_back(statement());
      if (peek().kind == Token::Kind::name && peek().text == "for")
        fail(peek(), "`for` ends a recurrence's line only: `let x[t] = ... for t in 1:T`");
      if (peek().kind != Token::Kind::newline)
        fail(peek(), "expected the end of the statement, found " + describe(peek()));
    }
    return p;
  }

 private:
  const Token& peek(std::size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  const Token& next() { return t_[std::min(i_++, t_.size() - 1)]; }
  bool is_op(const char* op, std::size_t k = 0) const {
    return peek(k).kind == Token::Kind::op && peek(k).text == op;
  }
  [[noreturn]] void fail(const Token& t, const std::string& what) const {
    throw InputError(located(file_, t.loc, what));
  }
  static std::string describe(const Token& t) {
    if (t.kind == Token::Kind::newline) return "the end of the line";
    if (t.kind == Token::Kind::end) return "the end of the file";
    return "'" + t.text + "'";
  }
  const Token& expect(const char* op, const std::string& what) {
    if (!is_op(op)) fail(peek(), "expected " + what + ", found " + describe(peek()));
    return next();
  }
  std::string name(const std::string& what, Loc& loc) {
    if (peek().kind != Token::Kind::name)
      fail(peek(), "expected " + what + ", found " + describe(peek()));
    loc = peek().loc;
    return next().text;
  }

  Statement statement() {
    Statement s;
    s.loc = peek().loc;
    const Token& first = peek();
    if (first.kind != Token::Kind::name)
      fail(first, "expected a statement, found " + describe(first));
    if (first.text == "data" && peek(1).kind == Token::Kind::name) {
      next();
      s.kind = Statement::Kind::data;
      s.name = name("a data name", s.name_loc);
      expect(":", "':' and a type (int or real)");
      Loc tloc;
      s.type = name("a type (int or real)", tloc);
      if (s.type != "int" && s.type != "real") {
        const std::string hint = suggest(s.type, {"int", "real"});
        fail(t_[i_ - 1],
             "unknown type '" + s.type + "'" + (hint.empty() ? "; types: int, real" : hint));
      }
      if (is_op("[")) {
        next();
        for (;;) {
          s.dims.push_back(expression(0));
          if (is_op("]")) break;
          expect(",", "',' or ']'");
        }
        next();
      }
      return s;
    }
    if ((first.text == "let" || first.text == "potential") && peek(1).kind == Token::Kind::name) {
      next();
      s.kind = first.text == "let" ? Statement::Kind::let : Statement::Kind::potential;
      s.name = name("a name", s.name_loc);
      if (s.kind == Statement::Kind::let) element(s);
      expect("=", "'='");
      s.value = expression(0);
      if (s.kind == Statement::Kind::let) loop(s);
      return s;
    }
    s.name = name("a name", s.name_loc);
    if (is_op("[")) {
      element(s);
      if (is_op("~"))
        fail(peek(), "a random variable is declared whole, `" + s.name +
                         " ~ Dist(...)`; only a `let` or a deterministic defines elements");
      expect("=", "'='");
      s.kind = Statement::Kind::deterministic;
      s.value = expression(0);
      loop(s);
      return s;
    }
    if (is_op("~")) {
      next();
      s.kind = Statement::Kind::sample;
      s.value = expression(0);
      if (s.value->kind != Expr::Kind::call)
        throw InputError(located(file_, s.value->loc, "expected a distribution after '~'"));
      return s;
    }
    if (is_op("=")) {
      next();
      s.kind = Statement::Kind::deterministic;
      s.value = expression(0);
      loop(s);
      return s;
    }
    std::string hint;
    if (peek().kind == Token::Kind::name)  // a misspelt keyword: `lett x = 1`
      hint = suggest(s.name, {"data", "let", "potential"});
    fail(peek(), "expected '~' or '=' after '" + s.name + "', found " + describe(peek()) + hint);
  }

  // `[element]` after a let's or a deterministic's name.
  void element(Statement& s) {
    if (!is_op("[")) return;
    next();
    s.element = expression(0);
    if (is_op(",") || is_op(":"))
      fail(peek(), "a recurrence defines one element at a time: `" + s.name + "[t] = ...`");
    expect("]", "']'");
  }

  // `for VAR in START:STOP` after a recurrence's value.
  void loop(Statement& s) {
    if (peek().kind != Token::Kind::name || peek().text != "for") return;
    Loop l;
    l.loc = next().loc;
    l.var = name("the index of the recurrence (`for t in 1:T`)", l.var_loc);
    if (peek().kind != Token::Kind::name || peek().text != "in")
      fail(peek(), "expected 'in' after `for " + l.var + "`, found " + describe(peek()));
    next();
    l.start = expression(0);
    expect(":", "':' between the range's start and stop (`for " + l.var + " in 1:T`)");
    l.stop = expression(0);
    if (!s.element)
      throw InputError(located(file_, l.loc,
                               "a recurrence defines elements: `" +
                                   std::string(s.kind == Statement::Kind::let ? "let " : "") +
                                   s.name + "[" + l.var + "] = ... for " + l.var + " in ...`"));
    s.loop = std::move(l);
  }

  static int precedence(const std::string& op) {
    if (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=") return 1;
    if (op == "+" || op == "-") return 2;
    if (op == "*" || op == "/" || op == "@") return 3;
    return -1;
  }

  ExprPtr expression(int min_prec) {
    guard();
    ExprPtr left = unary();
    for (;;) {
      const Token& t = peek();
      if (t.kind != Token::Kind::op) break;
      const int p = precedence(t.text);
      if (p < 0 || p < min_prec) break;
      next();
      ExprPtr right = expression(p + 1);
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::binary;
      e->loc = t.loc;
      e->name = t.text;
      e->items.push_back(std::move(left));
      e->items.push_back(std::move(right));
      left = std::move(e);
      measure(*left);
    }
    --depth_;
    return left;
  }

  ExprPtr unary() {
    if (is_op("-") || is_op("+")) {
      guard();
      const Token& t = next();
      ExprPtr operand = unary();
      --depth_;
      if (t.text == "+") return operand;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::unary;
      e->loc = t.loc;
      e->name = "-";
      e->items.push_back(std::move(operand));
      measure(*e);
      return e;
    }
    return power();
  }

  ExprPtr power() {
    ExprPtr base = postfix();
    if (!is_op("**")) return base;
    guard();
    const Token& t = next();
    ExprPtr exponent = unary();  // right-associative, and 2 ** -1
    --depth_;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::binary;
    e->loc = t.loc;
    e->name = "**";
    e->items.push_back(std::move(base));
    e->items.push_back(std::move(exponent));
    measure(*e);
    return e;
  }

  ExprPtr postfix() {
    ExprPtr e = primary();
    for (;;) {
      if (is_op("(")) {
        // PyMC 3's Bound(Normal, lower=0)(mu, sigma): say what replaced it.
        if (e->kind == Expr::Kind::call)
          if (auto hint = distributions::renamed_family(e->name))
            throw InputError(
                located(file_, e->loc, "unknown distribution '" + e->name + "'" + *hint));
        if (e->kind != Expr::Kind::name) fail(peek(), "only a name can be called");
        next();
        e->kind = Expr::Kind::call;
        while (!is_op(")")) {
          Arg a;
          a.loc = peek().loc;
          if (peek().kind == Token::Kind::name && is_op("=", 1)) {
            a.keyword = next().text;
            next();
          }
          a.value = expression(0);
          e->args.push_back(std::move(a));
          if (is_op(")")) break;
          expect(",", "',' or ')' in the argument list");
        }
        next();
        measure(*e);
      } else if (is_op("[")) {
        const Token& open = next();
        auto idx = std::make_unique<Expr>();
        idx->kind = Expr::Kind::index;
        idx->loc = open.loc;
        idx->items.push_back(std::move(e));
        for (;;) {
          idx->subscripts.push_back(subscript());
          if (is_op("]")) break;
          expect(",", "',' or ']' in the subscript");
        }
        next();
        measure(*idx);
        e = std::move(idx);
      } else {
        return e;
      }
    }
  }

  Subscript subscript() {
    Subscript s;
    s.loc = peek().loc;
    if (!is_op(":")) {
      s.index = expression(0);
      if (!is_op(":")) return s;
    }
    s.slice = true;
    s.start = std::move(s.index);
    next();  // ':'
    if (!is_op(":") && !is_op(",") && !is_op("]")) s.stop = expression(0);
    if (is_op(":")) {
      next();
      if (!is_op(",") && !is_op("]")) s.step = expression(0);
    }
    return s;
  }

  ExprPtr primary() {
    const Token& t = peek();
    auto e = std::make_unique<Expr>();
    e->loc = t.loc;
    if (t.kind == Token::Kind::number) {
      next();
      e->kind = Expr::Kind::number;
      e->number = t.number;
      e->integer = t.integer;
      return e;
    }
    if (t.kind == Token::Kind::name) {
      next();
      e->kind = Expr::Kind::name;
      e->name = t.text;
      return e;
    }
    if (is_op("(")) {
      next();
      ExprPtr inner = expression(0);
      if (is_op(")")) {
        next();
        return inner;
      }
      // A tuple: (J, K), used by shape=.
      e->kind = Expr::Kind::tuple;
      e->items.push_back(std::move(inner));
      while (is_op(",")) {
        next();
        if (is_op(")")) break;
        e->items.push_back(expression(0));
      }
      expect(")", "')'");
      measure(*e);
      return e;
    }
    if (is_op("[")) {
      next();
      e->kind = Expr::Kind::list;
      while (!is_op("]")) {
        e->items.push_back(expression(0));
        if (is_op("]")) break;
        expect(",", "',' or ']' in the list");
      }
      next();
      measure(*e);
      return e;
    }
    fail(t, "expected an expression, found " + describe(t));
  }

  // Sets e's height from its children's; a tree too high is an error at e.
  void measure(Expr& e) const {
    int h = 0;
    for (const auto& item : e.items) h = std::max(h, item->height);
    for (const auto& a : e.args) h = std::max(h, a.value->height);
    for (const auto& s : e.subscripts)
      for (const ExprPtr* p : {&s.index, &s.start, &s.stop, &s.step})
        if (*p) h = std::max(h, (*p)->height);
    e.height = h + 1;
    if (e.height > kMaxHeight)
      throw InputError(located(file_, e.loc,
                               "expression too long (over " + std::to_string(kMaxHeight) +
                                   " operations in a chain); split it with let"));
  }

  void guard() {
    if (++depth_ > kMaxDepth)
      fail(peek(), "expression nested too deeply (over " + std::to_string(kMaxDepth) + " levels)");
  }

  std::vector<Token> t_;
  const std::string& file_;
  std::size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Program parse(std::string_view source, const std::string& filename) {
  return Parser(Lexer(source, filename).tokens(), filename).program();
}

Program parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": error: cannot read the model file");
  std::stringstream s;
  s << in.rdbuf();
  return parse(s.str(), path);
}

}  // namespace stochos::lang
