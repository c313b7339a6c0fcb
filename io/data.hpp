// The data JSON of CmdStan and posteriordb: {"J": 8, "y": [28, 8, ...], "X": [[1, 2], [3, 4]]}.
// A matrix is a list of rows; every value is a number (an integer when written without a
// fraction or exponent) or null, a missing entry, read as NaN (SPEC.md §3, missing data).
// Anything else is an InputError naming the file and the key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph/shape.hpp"

namespace stochos::io {

struct DataValue {
  std::vector<double> values;  // row-major
  graph::Shape shape;          // {} for a number
  bool integer = true;         // every value written as an integer
};

using DataSet = std::map<std::string, DataValue>;

DataSet parse_data(std::string_view json, const std::string& source);
DataSet load_data(const std::string& path);

// Rows [lo, hi) of a shard (mpi/shard.hpp): the arrays named in `arrays` cut to those rows of their
// first dimension, and the integer `dim` set to hi - lo; everything else as it is. The arrays are
// moved out of `data` (so the whole ones are freed). InputError naming the array when one has a
// first dimension other than `dim`'s value.
DataSet slice_rows(DataSet data, const std::vector<std::string>& arrays, const std::string& dim,
                   std::int64_t lo, std::int64_t hi);

}  // namespace stochos::io
