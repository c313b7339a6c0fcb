// The syntax tree of a .stoch file (SPEC.md §1.1): statements of data declarations, random
// variables, deterministics, lets and potentials over expressions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace stochos::lang {

struct Loc {
  int line = 1, col = 1;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Arg {
  std::string keyword;  // empty: positional
  Loc loc;
  ExprPtr value;
};

// One subscript of x[...]: an expression, or a slice start:stop:step with each part optional.
struct Subscript {
  bool slice = false;
  ExprPtr index, start, stop, step;
  Loc loc;
};

struct Expr {
  enum class Kind { number, name, list, tuple, unary, binary, call, index } kind;
  Loc loc;
  int height = 1;  // levels of the tree below and including this node (the parser bounds it)
  double number = 0;
  bool integer = false;               // a number written without a fraction or exponent
  std::string name;                   // name; call: the function; unary/binary: the operator
  std::vector<ExprPtr> items;         // list, tuple, unary (1), binary (2), index (the indexed: 1)
  std::vector<Arg> args;              // call
  std::vector<Subscript> subscripts;  // index
};

// `for t in start:stop` after a recurrence's line (Note [recurrences] in lang/recurrence.hpp).
struct Loop {
  std::string var;
  Loc loc, var_loc;  // of `for` and of the index's name
  ExprPtr start, stop;
};

struct Statement {
  enum class Kind { data, sample, deterministic, let, potential } kind;
  Loc loc;
  std::string name;
  Loc name_loc;
  // let/deterministic `NAME[element] = ...`: one element of an array a recurrence defines, its
  // start value (`x[0]`) or, with `loop`, every step (`x[t] ... for t in 1:T`).
  ExprPtr element;
  std::optional<Loop> loop;
  // data: the type ("int" or "real") and the dims; the others: the expression (sample: a call).
  std::string type;
  std::vector<ExprPtr> dims;
  ExprPtr value;
};

struct Program {
  std::string filename;
  std::vector<Statement> statements;
};

// The expression as source text, for messages: `idx - 1`, `a[county]`, `exp(x)`; parenthesised
// where precedence needs it; cut to about 60 characters.
std::string to_source(const Expr& e);

}  // namespace stochos::lang
