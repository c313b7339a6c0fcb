#include "io/data.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "stochos/error.hpp"

namespace stochos::io {

namespace {

// Deeper lists are refused (CmdStan's arrays of matrices need four or five levels); the check
// also bounds the recursion of flatten().
constexpr int kMaxRank = 32;

// nlohmann's message without its "[json.exception.parse_error.101] " tag, on one printable line,
// at most 200 characters.
std::string json_message(const nlohmann::json::exception& e) {
  std::string msg = e.what();
  if (!msg.empty() && msg[0] == '[') {
    const auto end = msg.find("] ");
    if (end != std::string::npos) msg.erase(0, end + 2);
  }
  for (char& c : msg)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  if (msg.size() > 200) msg = msg.substr(0, 200) + "...";
  return msg;
}

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
      fail(std::string(j.is_null() ? "null" : "a number") + " where a list of " +
           std::to_string(out.shape[depth]) + " was expected");
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
  if (j.is_null()) {
    // A missing entry, as NaN: only an observed variable's data may have them, which the model
    // imputes; any other use is refused where the data are used (lang/builder.cpp).
    out.values.push_back(std::numeric_limits<double>::quiet_NaN());
  } else if (j.is_number_integer() || j.is_number_unsigned()) {
    out.values.push_back(j.get<double>());
  } else if (j.is_number_float()) {
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail("not a finite number");
    out.values.push_back(v);
    out.integer = false;
  } else {
    fail(std::string(j.is_boolean()  ? "a boolean"
                     : j.is_string() ? "a string"
                                     : "an object") +
         " where a number was expected");
  }
}

}  // namespace

DataSet parse_data(std::string_view text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw InputError(source +
                     ": error: the data file is empty (expected a JSON object such as "
                     "{\"N\": 3, \"y\": [1.5, 2, 0.5]})");
  nlohmann::json j;
  // While parsing: a key given twice is an error (the JSON library would keep the last), and so
  // is nesting beyond kMaxRank lists.
  std::set<std::string> keys;
  std::string key;
  const auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::key && depth == 1) {
      key = parsed.get<std::string>();
      if (!keys.insert(key).second)
        throw InputError(source + ": error: data '" + key + "' is given twice");
    }
    if (event == E::array_start && depth > kMaxRank)
      throw InputError(source + ": error: " +
                       (key.empty() ? std::string("data must be a JSON object of named values")
                                    : "data '" + key + "' is nested deeper than " +
                                          std::to_string(kMaxRank) + " levels"));
    if (event == E::object_start && depth > 1)
      throw InputError(source + ": error: data '" + key +
                       "': an object where a number or a list was expected");
    return true;
  };
  try {
    j = nlohmann::json::parse(text.begin(), text.end(), check);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": error: invalid JSON: " + json_message(e));
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
