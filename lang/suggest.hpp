// "; did you mean 'x'?" for the language's messages, skipping names too long to be a misspelling
// (the edit distance is quadratic, and a megabyte of identifier is no typo).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stochos/nearest.hpp"

namespace stochos::lang {

inline std::string suggest(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.size() > 100) return "";
  return did_you_mean(name, candidates);
}

}  // namespace stochos::lang
