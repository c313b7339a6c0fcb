#include "cli/validators.hpp"

#include <cmath>
#include <string>

namespace stochos::cli {

namespace {

CLI::Validator at_least(bool strict, const char* what, const char* name) {
  return CLI::Validator(
      [strict, what](std::string& s) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(s, &used);
        } catch (const std::exception&) {
          return "must be a number, got '" + s + "'";
        }
        if (used != s.size()) return "must be a number, got '" + s + "'";
        const bool ok = std::isfinite(v) && (strict ? v > 0 : v >= 0);
        return ok ? std::string() : std::string("must be ") + what + ", got " + s;
      },
      name);
}

}  // namespace

CLI::Validator positive() {
  return at_least(true, "positive", "POSITIVE");
}

CLI::Validator non_negative() {
  return at_least(false, "0 or more", "NON-NEGATIVE");
}

}  // namespace stochos::cli
