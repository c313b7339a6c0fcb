#include "io/data.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "stochos/error.hpp"

namespace stochos::io {

namespace {

// The shape a nested list claims, read down its first elements.
graph::Shape claimed_shape(const nlohmann::json& j) {
  graph::Shape s;
  const nlohmann::json* at = &j;
  while (at->is_array()) {
    s.push_back(static_cast<std::int64_t>(at->size()));
    if (at->empty()) break;
    at = &(*at)[0];
  }
  return s;
}

std::string position_str(const std::vector<std::int64_t>& position) {
  std::string s;
  for (auto p : position) {
    s.push_back('[');
    s.append(std::to_string(p));
    s.push_back(']');
  }
  return s;
}

// Checks every list against the claimed shape (rows of equal length, numbers at the bottom)
// and appends the numbers in row-major order.
void flatten(const nlohmann::json& j, DataValue& out, const std::string& where,
             std::vector<std::int64_t>& position) {
  const std::size_t depth = position.size();
  const auto fail = [&](const std::string& why) {
    throw InputError(where + position_str(position) + ": " + why);
  };
  if (depth < out.shape.size()) {
    if (!j.is_array())
      fail("a number where a list of " + std::to_string(out.shape[depth]) + " was expected");
    if (static_cast<std::int64_t>(j.size()) != out.shape[depth])
      fail(std::to_string(j.size()) + " elements where " + std::to_string(out.shape[depth]) +
           " were expected (rows must have equal lengths)");
    position.push_back(0);
    for (const auto& e : j) {
      flatten(e, out, where, position);
      ++position.back();
    }
    position.pop_back();
    return;
  }
  if (j.is_array()) fail("a list where a number was expected (ragged nesting)");
  if (j.is_number_integer() || j.is_number_unsigned()) {
    out.values.push_back(j.get<double>());
  } else if (j.is_number_float()) {
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail("not a finite number");
    out.values.push_back(v);
    out.integer = false;
  } else {
    fail(std::string(j.is_null()      ? "null"
                     : j.is_boolean() ? "a boolean"
                     : j.is_string()  ? "a string"
                                      : "an object") +
         " where a number was expected");
  }
}

}  // namespace

DataSet parse_data(std::string_view text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    throw InputError(source + ": error: invalid JSON (" + msg + ")");
  }
  if (!j.is_object())
    throw InputError(source + ": error: data must be a JSON object of named values");
  DataSet d;
  for (const auto& [key, value] : j.items()) {
    DataValue v;
    v.shape = claimed_shape(value);
    std::vector<std::int64_t> position;
    try {
      flatten(value, v, "data '" + key + "'", position);
    } catch (const InputError& e) {
      throw InputError(source + ": error: " + e.what());
    }
    d[key] = std::move(v);
  }
  return d;
}

DataSet load_data(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": error: cannot read the data file");
  std::stringstream s;
  s << in.rdbuf();
  return parse_data(s.str(), path);
}

}  // namespace stochos::io
