// Number checks for the flags, with one-line messages ("--tune: must be 0 or more, got -1").
// CLI11's PositiveNumber and NonNegativeNumber print their range up to DBL_MAX in full, and let
// "nan" through.
#pragma once

#include <CLI/CLI.hpp>

namespace stochos::cli {

// A finite number above 0.
CLI::Validator positive();
// A finite number, 0 or more.
CLI::Validator non_negative();

}  // namespace stochos::cli
