// Known gaps, per backend: a case whose op a backend lacks (or gets wrong, with a filed reason)
// is skipped on that backend and the reason goes into the coverage table, so a gap is recorded,
// never hidden. Empty today: every case passes on every registered backend.
#pragma once

#include <string>
#include <vector>

namespace stochos::conformance {

// The reason `backend` is excused from `op`, or "".
inline std::string xfail_reason(const std::string& backend, const std::string& op) {
  struct Entry {
    const char* backend;
    const char* op;
    const char* reason;
  };
  static const Entry kXfail[] = {{"", "", ""}};  // {"torch", "trigamma", "why"}
  for (const Entry& e : kXfail)
    if (e.backend[0] && backend == e.backend && op == e.op) return e.reason;
  return "";
}

// Gaps of the op table itself, on every backend.
inline std::string table_gap(const std::string& op) {
  if (op == "trigamma") return "no gradient: it needs tetragamma, which is not an op";
  return "";
}

inline std::string xfail_reason(const std::string& backend, const std::vector<std::string>& ops) {
  for (const auto& op : ops)
    if (auto r = xfail_reason(backend, op); !r.empty()) return op + ": " + r;
  return "";
}

}  // namespace stochos::conformance
