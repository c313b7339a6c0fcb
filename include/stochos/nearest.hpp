// "Did you mean ...?" for error messages: the known name nearest to a misspelt one.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stochos {

// Edit distance, ignoring case (insertions, deletions, substitutions and swaps of neighbours).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto low = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate nearest to `name`, when it is near enough to be a plausible misspelling (at most
// a third of the name's letters wrong, at least one allowed).
inline std::optional<std::string> nearest(std::string_view name,
                                          const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// "; did you mean 'x'?" or nothing (SPEC.md §1.1's wording).
inline std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  if (auto n = nearest(name, candidates)) return "; did you mean '" + *n + "'?";
  return "";
}

}  // namespace stochos
