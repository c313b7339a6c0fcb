// The syntax of recurrences: which subscripts read an array at a step, and where.
//
// Note [recurrences]
// ~~~~~~~~~~~~~~~~~~
// A recurrence defines an array element by element, as its equations do:
//
//   let sigma2[0] = sigma1 ** 2
//   let sigma2[t] = alpha0 + alpha1 * (y[t-1] - mu) ** 2 + beta1 * sigma2[t-1]   for t in 1:T
//
// `for t in a:b` runs t over a, ..., b-1 (a Python range, as slices are); the array then holds
// b values, x[0] to x[b-1]: start values for 0, ..., a-1, each a line of its own before the
// recurrence, and one per step. Consecutive lines with the same `for` clause are one loop, so
// arrays that read each other (a Kalman filter's mean and variance) are computed step by step
// together; a line reads another array of its loop at t (defined on an earlier line) or at
// t-k (any line), and its own array at t-k only. Every other array read at t+k (k any integer
// known when the model is built, negative or not) is a sequence of the loop, sliced so that step
// t reads row t+k; a bare `t` is the step's index, an integer; anything else the lines read is a
// constant of the loop.
//
// The builder (lang/builder.cpp) makes the loop one graph::scan (Note [scan] in graph/scan.hpp):
// an array read at lags up to L is L carries (x[t-1], ..., x[t-L]), started from x[a-1], ...,
// x[a-L]; an array read at no lag is a per-step output. The whole array is its start values
// followed by the steps. Errors name the reading subscript: a read of the future (x[t+1], or
// x[t] of a later line or of the line's own array), a lag reaching before x[0], a missing or
// extra start value, a sequence read outside its array, a range that is not integers a <= b.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lang/ast.hpp"

namespace stochos::lang {

using KnownInt = std::function<std::optional<std::int64_t>(const Expr&)>;

// True when e reads the name `name` anywhere.
bool mentions(const Expr& e, const std::string& name);

// k when the subscript is `var`, `var + k`, `var - k` or `k + var`, with k an integer known now
// (`known`); nothing when it does not mention var, and when it does in another form, an error
// message for a read of one of the loop's own arrays (which must be at t minus a constant).
struct TimeSubscript {
  bool is_time = false;                // the subscript mentions var
  std::optional<std::int64_t> offset;  // ... in the form var + k
};
TimeSubscript time_subscript(const Subscript& s, const std::string& var, const KnownInt& known);

// `NAME[time, ...]`: an array read at a step, with its offset.
struct TimeRead {
  const Expr* expr;  // the index expression
  std::string name;
  std::int64_t offset;
};
// Every array read at a step in e, outermost first (x[t-1] inside y[...] is found too).
std::vector<TimeRead> time_reads(const Expr& e, const std::string& var, const KnownInt& known);

// True when e uses the index `var` other than as a step subscript `x[t + k]` (as a value: `t *
// beta`, `z[2 * t]`).
bool uses_index_value(const Expr& e, const std::string& var, const KnownInt& known);

}  // namespace stochos::lang
