#include "io/data.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "stochos/error.hpp"

namespace stochos::io {

namespace {

// Deeper lists are refused (CmdStan's arrays of matrices need four or five levels).
constexpr int kMaxRank = 32;

constexpr const char* kEmptyFile =
    ": error: the data file is empty (expected a JSON object such as {\"N\": 3, \"y\": [1.5, 2, "
    "0.5]})";

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
std::string position_str(const std::vector<std::int64_t>& position) {
  std::string s;
  for (auto p : position) {
    s.push_back('[');
    s.append(std::to_string(p));
    s.push_back(']');
  }
  return s;
}

// Note [streamed data]: the file is read as a stream of JSON events straight into each key's
// numbers (8 bytes each; a DOM would hold about 60 per number), and checked as it goes. The
// checks and their messages are those of a walk over the whole document, in its order: an
// error of the JSON itself (syntax, a key given twice, nesting too deep, an object inside a
// list) first, wherever it is; then the first key, in sorted order, whose value is malformed,
// with the first fault a pre-order walk of it meets — a list's length is checked on entering
// it, before its elements, so a length fault found at a list's end displaces a fault found
// inside that list. The shape a value claims is read down its first elements.
class DataReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit DataReader(std::string source) : source_(std::move(source)) {}

  // The data, or the first fault (throws InputError).
  DataSet finish() {
    if (!top_is_object_)
      throw InputError(source_ + ": error: data must be a JSON object of named values");
    for (const auto& [key, fault] : faults_)
      throw InputError(source_ + ": error: data '" + key + "'" + position_str(fault.path) + ": " +
                       fault.why);
    return std::move(data_);
  }

  bool null() override { return leaf(Leaf::null, 0); }
  bool boolean(bool) override { return leaf(Leaf::boolean, 0); }
  bool number_integer(std::int64_t v) override { return leaf(Leaf::integer, double(v)); }
  bool number_unsigned(std::uint64_t v) override { return leaf(Leaf::integer, double(v)); }
  bool number_float(double v, const std::string&) override { return leaf(Leaf::real, v); }
  bool string(std::string&) override { return leaf(Leaf::string, 0); }
  bool binary(binary_t&) override { return leaf(Leaf::string, 0); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) top_is_object_ = true;
    if (depth_ > 1)
      throw InputError(source_ + ": error: data '" + key_ +
                       "': an object where a number or a list was expected");
    if (depth_ == 1) fault({}, "an object where a number was expected");  // a key's value
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool key(std::string& k) override {
    if (depth_ != 1) return true;  // a nested object's key: its object is refused already
    key_ = k;
    if (!keys_.insert(key_).second)
      throw InputError(source_ + ": error: data '" + key_ + "' is given twice");
    value_ = &data_[key_];
    counts_.clear();
    claimed_.clear();
    rank_ = -1;
    return true;
  }

  bool start_array(std::size_t) override {
    if (depth_ > kMaxRank)
      throw InputError(source_ + ": error: " +
                       (key_.empty() ? std::string("data must be a JSON object of named values")
                                     : "data '" + key_ + "' is nested deeper than " +
                                           std::to_string(kMaxRank) + " levels"));
    ++depth_;
    if (!in_value()) return true;
    // A list deeper than the rank the first element claimed: ragged.
    if (rank_ >= 0 && static_cast<int>(counts_.size()) >= rank_)
      fault(path(), "a list where a number was expected (ragged nesting)");
    counts_.push_back(0);
    return true;
  }
  bool end_array() override {
    --depth_;
    if (value_ == nullptr || counts_.empty()) return true;  // not a list of a key's value
    const std::int64_t n = counts_.back();
    counts_.pop_back();
    const std::size_t d = counts_.size();
    if (claimed_.size() <= d) {
      claimed_.resize(d + 1, -1);
    }
    if (claimed_[d] < 0) {
      claimed_[d] = n;  // the first list at this depth claims the length
      if (rank_ < 0 && n == 0) rank_ = static_cast<int>(d) + 1;  // empty: no deeper
    } else if (n != claimed_[d]) {
      fault(path(),
            std::to_string(n) + " elements where " + std::to_string(claimed_[d]) +
                " were expected (rows must have equal lengths)",
            /*on_entry=*/true);
    }
    if (d == 0)
      close_value();
    else
      ++counts_.back();
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw InputError(source_ + ": error: invalid JSON: " + json_message(e));
  }

 private:
  enum class Leaf { null, boolean, integer, real, string };
  struct Fault {
    std::vector<std::int64_t> path;
    std::string why;
  };

  static const char* what(Leaf kind) {
    switch (kind) {
      case Leaf::null:
        return "null";
      case Leaf::boolean:
        return "a boolean";
      case Leaf::integer:
      case Leaf::real:
        return "a number";
      case Leaf::string:
        return "a string";
    }
    return "a value";
  }

  // Inside a key's value (depth 1 is the top-level object's members).
  bool in_value() const { return value_ != nullptr && depth_ >= 2; }

  // The path of the element about to be read (or of the list just closed).
  std::vector<std::int64_t> path() const { return counts_; }

  bool leaf(Leaf kind, double v) {
    if (depth_ < 1 || value_ == nullptr) return true;  // not in the top-level object
    const int d = static_cast<int>(counts_.size());
    if (rank_ < 0) {
      rank_ = d;
      claimed_.resize(static_cast<std::size_t>(d), -1);
    }
    if (d < rank_) {
      fault(path(), std::string(what(kind)) + " where a list of " +
                        std::to_string(claimed_[static_cast<std::size_t>(d)]) + " was expected");
    } else if (kind == Leaf::null) {
      // A missing entry, as NaN: only an observed variable's data may have them, which the
      // model imputes; any other use is refused where the data are used (lang/builder.cpp).
      value_->values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (kind == Leaf::integer || kind == Leaf::real) {
      if (!std::isfinite(v)) fault(path(), "not a finite number");
      value_->values.push_back(v);
      if (kind == Leaf::real) value_->integer = false;
    } else {
      fault(path(), std::string(what(kind)) + " where a number was expected");
    }
    if (d == 0)
      close_value();
    else
      ++counts_.back();
    return true;
  }

  // The value of the current key is complete: its shape is the one its first elements claim.
  void close_value() {
    if (rank_ < 0) rank_ = 0;
    value_->shape.assign(claimed_.begin(), claimed_.begin() + rank_);
    value_ = nullptr;
  }

  // Records a fault of the current key in the order a pre-order walk meets them: the first one,
  // unless this one is a list's length (checked on entering the list) and the first lies inside
  // that list.
  void fault(std::vector<std::int64_t> at, std::string why, bool on_entry = false) {
    auto it = faults_.find(key_);
    if (it == faults_.end()) {
      faults_.emplace(key_, Fault{std::move(at), std::move(why)});
      return;
    }
    const auto& first = it->second.path;
    if (on_entry && at.size() < first.size() && std::equal(at.begin(), at.end(), first.begin()))
      it->second = Fault{std::move(at), std::move(why)};
  }

  std::string source_;
  DataSet data_;
  std::set<std::string> keys_;
  std::map<std::string, Fault> faults_;  // by key, sorted: the first is reported
  std::string key_;
  DataValue* value_ = nullptr;
  std::vector<std::int64_t> counts_;   // elements read in each open list of the value
  std::vector<std::int64_t> claimed_;  // each depth's length, from its first list; -1: not yet
  int rank_ = -1;                      // the depth of the first leaf (or past the first empty list)
  int depth_ = 0;                      // JSON nesting, objects and lists
  bool top_is_object_ = false;
};

}  // namespace

DataSet parse_data(std::string_view text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw InputError(source + kEmptyFile);
  DataReader reader(source);
  nlohmann::json::sax_parse(text.begin(), text.end(), &reader);
  return reader.finish();
}

DataSet load_data(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(path + ": error: cannot read the data file");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, std::fclose);
  // Empty (or only whitespace): said so, rather than "unexpected end of input".
  int c = 0;
  while ((c = std::fgetc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
  }
  if (c == EOF) throw InputError(path + kEmptyFile);
  std::ungetc(c, f);
  DataReader reader(path);
  nlohmann::json::sax_parse(f, &reader);
  return reader.finish();
}

DataSet slice_rows(DataSet data, const std::vector<std::string>& arrays, const std::string& dim,
                   std::int64_t lo, std::int64_t hi) {
  const auto n = data.find(dim);
  if (n == data.end() || !n->second.shape.empty())
    throw InputError("--shard-by " + dim + ": the data have no integer '" + dim + "'");
  const auto rows = static_cast<std::int64_t>(n->second.values.at(0));
  for (const std::string& name : arrays) {
    DataValue& v = data.at(name);
    if (v.shape.empty() || v.shape[0] != rows)
      throw InputError("data '" + name + "' is declared with " + dim + " rows but has shape " +
                       graph::shape_str(v.shape) + " (" + dim + " = " + std::to_string(rows) + ")");
    const std::int64_t width = rows ? static_cast<std::int64_t>(v.values.size()) / rows : 0;
    std::vector<double> kept(v.values.begin() + lo * width, v.values.begin() + hi * width);
    v.values = std::move(kept);
    v.values.shrink_to_fit();
    v.shape[0] = hi - lo;
  }
  n->second.values[0] = static_cast<double>(hi - lo);
  return data;
}

}  // namespace stochos::io
