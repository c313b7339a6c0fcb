// The two error kinds every layer throws (DESIGN.md §4): InputError for bad models, data, flags,
// config or graph construction (exit 2); RuntimeError for a run that failed (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace stochos {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace stochos
