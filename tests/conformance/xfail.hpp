// What the suite excuses, and why, so that a gap is recorded in the coverage table, never hidden:
//   * xfail: a backend lacks an op (or cannot meet its cases): every case exercising the op is
//     skipped on that backend. Empty today.
//   * known bugs: one check of one case fails for a reason outside this suite (an engine, rule
//     or graph bug, reported with a reproducer). The test is skipped with "known bug: ..." so the
//     suite stays green and the bug stays visible; delete the entry when the bug is fixed.
//   * table gaps: what the op table cannot express on any backend.
#pragma once

#include <string>
#include <vector>

namespace stochos::conformance {

// The three tests a case can have: its float64 values, its float32 values, its gradient.
enum class Check { values, f32, gradient };

inline const char* check_name(Check c) {
  switch (c) {
    case Check::values:
      return "values";
    case Check::f32:
      return "float32";
    case Check::gradient:
      return "gradient";
  }
  return "";
}

struct Xfail {
  const char* backend;
  const char* op;
  const char* reason;
};
// e.g. {"torch", "trigamma", "no trigamma kernel on MPS"}
inline const std::vector<Xfail> kXfail = {};

struct KnownBug {
  const char* backend;  // "*": every backend (a graph or autodiff bug)
  const char* test;     // the case name
  Check check;
  const char* reason;
};
inline const std::vector<KnownBug> kKnownBugs = {
    {"*", "where_guards_sqrt", Check::gradient,
     "where's rule gives the unselected branch a zero cotangent, but sqrt's rule then computes "
     "0 * 0.5 / sqrt(x) = 0 * NaN = NaN at x < 0, so d/dx where(x > 0, sqrt(x), -x) is NaN where "
     "the selected branch's derivative is -1 (JAX and PyTorch do the same; the workaround is "
     "sqrt(where(x > 0, x, 1)))"},
    {"*", "log_ndtr_derivative_series_switch", Check::values,
     "graph/scalar_math.cpp log_ndtr: the asymptotic series used for x <= -20 stops at -945/x^10; "
     "the next term, 10395/x^12, is 2.5e-12 at x = -20 (the comment claims 1e-17), so "
     "log_ndtr(-20) is off by 2.5e-12 (~90 ulp, 1.2e-14 relative: within the value tolerance) and "
     "its derivative exp(log phi - log_ndtr) by 2.5e-12 relative"},
    {"*", "log_ndtr_derivative_series_switch", Check::gradient,
     "log_ndtr jumps by 2.5e-12 where it switches to its truncated series at x = -20 (see the "
     "values entry); its derivative jumps by 5e-11, which central differences see as 1e-6"},
    {"*", "log_ndtr_derivative_far_tail", Check::values,
     "log_ndtr's rule (autodiff/vjp_rules.cpp) computes phi/Phi as exp((-x^2/2 - log sqrt(2 pi)) - "
     "log_ndtr(x)), the difference of two numbers of size x^2/2: its rounding leaves a relative "
     "error of x^2/2 eps, 1.8e-12 at x = -300 and 1e-11 at x = -1000 (-x / S(x) is exact)"},
};

// The reason `backend` is excused from `op`, or "".
inline std::string xfail_reason(const std::string& backend, const std::string& op) {
  for (const Xfail& e : kXfail)
    if (backend == e.backend && op == e.op) return e.reason;
  return "";
}

inline std::string xfail_reason(const std::string& backend, const std::vector<std::string>& ops) {
  for (const auto& op : ops)
    if (auto r = xfail_reason(backend, op); !r.empty()) return op + ": " + r;
  return "";
}

// The known bug that excuses `check` of case `test` on `backend`, or "".
inline std::string known_bug(const std::string& backend, const std::string& test, Check check) {
  for (const KnownBug& b : kKnownBugs)
    if ((std::string(b.backend) == "*" || backend == b.backend) && test == b.test &&
        check == b.check)
      return b.reason;
  return "";
}

// Gaps of the op table itself, on every backend.
inline std::string table_gap(const std::string& op) {
  if (op == "trigamma") return "no gradient: it needs tetragamma, which is not an op";
  return "";
}

}  // namespace stochos::conformance
