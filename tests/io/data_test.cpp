// The data JSON of CmdStan and posteriordb (io/data.hpp): numbers, nested lists as row-major
// arrays, integers told from reals, and every malformed input as one line naming the file and
// the key.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/data.hpp"
#include "stochos/error.hpp"

namespace stochos::io {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& json) {
  try {
    parse_data(json, "d.json");
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;  // one line
    return what;
  }
  return "(no error)";
}

TEST(Data, NumbersListsAndMatrices) {
  const DataSet d = parse_data(
      R"({"J": 8, "x": 2.5, "y": [28, 8, -3], "X": [[1, 2, 3], [4, 5, 6]],
          "A": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "e": [], "E": [[], []], "neg": -0.0,
          "big": 9007199254740993, "u": 18446744073709551615, "sci": 1e3})",
      "d.json");
  EXPECT_EQ(d.at("J").values, std::vector<double>{8});
  EXPECT_TRUE(d.at("J").shape.empty());
  EXPECT_TRUE(d.at("J").integer);
  EXPECT_FALSE(d.at("x").integer);
  EXPECT_EQ(d.at("y").shape, (graph::Shape{3}));
  EXPECT_EQ(d.at("y").values, (std::vector<double>{28, 8, -3}));
  EXPECT_TRUE(d.at("y").integer);
  EXPECT_EQ(d.at("X").shape, (graph::Shape{2, 3}));  // a matrix is a list of rows
  EXPECT_EQ(d.at("X").values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.at("A").shape, (graph::Shape{2, 2, 2}));
  EXPECT_EQ(d.at("A").values[5], 6);
  EXPECT_EQ(d.at("e").shape, (graph::Shape{0}));
  EXPECT_TRUE(d.at("e").values.empty());
  EXPECT_EQ(d.at("E").shape, (graph::Shape{2, 0}));
  EXPECT_TRUE(std::signbit(d.at("neg").values[0]));
  EXPECT_FALSE(d.at("neg").integer);  // -0.0 is written as a real
  EXPECT_TRUE(d.at("big").integer);   // kept (rounded to a double); an int declaration refuses it
  EXPECT_EQ(d.at("u").values[0], 18446744073709551615.0);
  EXPECT_FALSE(d.at("sci").integer);  // 1e3 is written as a real
  EXPECT_EQ(d.at("sci").values[0], 1000);
}

TEST(Data, RealsWrittenAsIntegersAndMixedLists) {
  const DataSet d = parse_data(R"({"y": [1, 2.0, 3], "z": [1.0]})", "d.json");
  EXPECT_FALSE(d.at("y").integer);  // one real makes the array real
  EXPECT_EQ(d.at("y").values, (std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(d.at("z").integer);  // 1.0 is real; the language's int declarations accept it
}

TEST(Data, NullEntriesAreMissingValuesReadAsNaN) {
  // SPEC.md §3: only an observed variable's data may have them (lang refuses any other use).
  const DataSet d = parse_data(
      R"({"y": [1.5, null, -2], "n": [3, null], "X": [[null, 1], [2, null]], "s": null,
          "all": [null, null]})",
      "d.json");
  const auto& y = d.at("y").values;
  ASSERT_EQ(y.size(), 3u);
  EXPECT_EQ(y[0], 1.5);
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], -2);
  EXPECT_FALSE(d.at("y").integer);
  EXPECT_TRUE(d.at("n").integer);  // a null leaves an int array int
  EXPECT_TRUE(std::isnan(d.at("n").values[1]));
  EXPECT_EQ(d.at("X").shape, (graph::Shape{2, 2}));
  EXPECT_TRUE(std::isnan(d.at("X").values[0]));
  EXPECT_EQ(d.at("X").values[1], 1);
  EXPECT_TRUE(std::isnan(d.at("X").values[3]));
  EXPECT_TRUE(d.at("s").shape.empty());
  EXPECT_TRUE(std::isnan(d.at("s").values[0]));
  EXPECT_EQ(d.at("all").shape, (graph::Shape{2}));
}

TEST(Data, EmptyAndWhitespaceFiles) {
  EXPECT_EQ(error_of("{}"), "(no error)");
  EXPECT_EQ(parse_data("  {\r\n\t}\n", "d.json").size(), 0u);
  EXPECT_EQ(error_of(""),
            "d.json: error: the data file is empty (expected a JSON object such as {\"N\": 3, "
            "\"y\": [1.5, 2, 0.5]})");
  EXPECT_EQ(error_of(" \r\n\t"), error_of(""));
  // A UTF-8 byte-order mark is skipped.
  EXPECT_EQ(parse_data("\xef\xbb\xbf{\"J\": 1}", "d.json").at("J").values[0], 1);
}

struct Golden {
  const char* json;
  const char* error;
};

const Golden kGolden[] = {
    {R"({"y": [[1, 2], [3]]})",
     "d.json: error: data 'y'[1]: 1 elements where 2 were expected (rows must have equal "
     "lengths)"},
    {R"({"y": [[1, 2], 3]})",
     "d.json: error: data 'y'[1]: a number where a list of 2 was expected"},
    {R"({"y": [1, [2]]})",
     "d.json: error: data 'y'[1]: a list where a number was expected (ragged nesting)"},
    {R"({"y": [[[1], [2]], [[3], [4, 5]]]})",
     "d.json: error: data 'y'[1][1]: 2 elements where 1 were expected (rows must have equal "
     "lengths)"},
    {R"({"y": [[], [1]]})",
     "d.json: error: data 'y'[1]: 1 elements where 0 were expected (rows must have equal "
     "lengths)"},
    {R"({"y": [1, "a"]})", "d.json: error: data 'y'[1]: a string where a number was expected"},
    {R"({"y": "8"})", "d.json: error: data 'y': a string where a number was expected"},
    {R"({"y": [[1, 2], null]})", "d.json: error: data 'y'[1]: null where a list of 2 was expected"},
    {R"({"y": [null, [1]]})",
     "d.json: error: data 'y'[1]: a list where a number was expected (ragged nesting)"},
    {R"({"y": true})", "d.json: error: data 'y': a boolean where a number was expected"},
    {R"({"y": [[1, 2], "a"]})",
     "d.json: error: data 'y'[1]: a string where a list of 2 was expected"},
    // A list's length is checked before its elements, as a walk over the document would.
    {R"({"y": [[1, 2], ["a"]]})",
     "d.json: error: data 'y'[1]: 1 elements where 2 were expected (rows must have equal "
     "lengths)"},
    // The first malformed key in sorted order, whichever comes first in the file.
    {R"({"b": [[1, 2], [3]], "a": "x"})",
     "d.json: error: data 'a': a string where a number was expected"},
    {R"([[1], {"a": 2}])", "d.json: error: data must be a JSON object of named values"},
    {R"({"y": [[0, 1], [false, 1]]})",
     "d.json: error: data 'y'[1][0]: a boolean where a number was expected"},
    {R"({"y": {"a": 1}})", "d.json: error: data 'y': an object where a number was expected"},
    {R"({"y": [{"a": 1}]})",
     "d.json: error: data 'y': an object where a number or a list was expected"},
    {R"({"y": 1, "y": 2})", "d.json: error: data 'y' is given twice"},
    {R"({"y": 1e400})", "d.json: error: invalid JSON: number overflow parsing '1e400'"},
    {R"({"y": [1, -1e400]})", "d.json: error: invalid JSON: number overflow parsing '-1e400'"},
    {R"({"y": NaN})",
     "d.json: error: invalid JSON: parse error at line 1, column 7: syntax error while parsing "
     "value - invalid literal; last read: '\"y\": N'"},
    {R"({"y": Infinity})",
     "d.json: error: invalid JSON: parse error at line 1, column 7: syntax error while parsing "
     "value - invalid literal; last read: '\"y\": I'"},
    {R"([1, 2])", "d.json: error: data must be a JSON object of named values"},
    {R"(8)", "d.json: error: data must be a JSON object of named values"},
    {R"({"y": [1, 2]} trailing)",
     "d.json: error: invalid JSON: parse error at line 1, column 17: syntax error while parsing "
     "value - invalid literal; last read: '2]} tra'; expected end of input"},
    {R"({"y": [1, 2)",
     "d.json: error: invalid JSON: parse error at line 1, column 12: syntax error while parsing "
     "array - unexpected end of input; expected ']'"},
    {"{\"y\": [1, 2]\n\n  \"z\": 1}",
     "d.json: error: invalid JSON: parse error at line 3, column 5: syntax error while parsing "
     "object - unexpected string literal; expected '}'"},
    {"{\"y\x01\": 1}",
     "d.json: error: invalid JSON: parse error at line 1, column 4: syntax error while parsing "
     "object key - invalid string: control character U+0001 (SOH) must be escaped to \\u0001; "
     "last read: '\"y<U+0001>'; expected string literal"},
};

class DataGolden : public ::testing::TestWithParam<Golden> {};

TEST_P(DataGolden, FirstLineIsExact) {
  EXPECT_EQ(error_of(GetParam().json), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(Malformed, DataGolden, ::testing::ValuesIn(kGolden));

TEST(Data, DeepNestingIsRefusedNotACrash) {
  const auto nested = [](int n) {
    return "{\"y\": " + std::string(static_cast<std::size_t>(n), '[') + "1" +
           std::string(static_cast<std::size_t>(n), ']') + "}";
  };
  EXPECT_EQ(parse_data(nested(32), "d.json").at("y").shape.size(), 32u);
  EXPECT_EQ(error_of(nested(33)), "d.json: error: data 'y' is nested deeper than 32 levels");
  EXPECT_EQ(error_of(nested(1000000)), "d.json: error: data 'y' is nested deeper than 32 levels");
  EXPECT_EQ(error_of(std::string(1000000, '[')),
            "d.json: error: data must be a JSON object of named values");
}

TEST(Data, GarbageIsOneLine) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(255 - i));
  const std::string e = error_of(bytes);
  EXPECT_EQ(e.rfind("d.json: error: invalid JSON: ", 0), 0u) << e;
  for (char c : e) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << e;  // printable: no raw bytes echoed
  const std::string long_token = "{\"y\": \"" + std::string(100000, 'x');
  EXPECT_LT(error_of(long_token).size(), 300u);  // the echoed input is cut short
}

TEST(Data, LargeFilesLoad) {
  // Named for this process: two suites may run at once on one machine.
  const fs::path path = fs::temp_directory_path() /
                        ("stochos-io-test-large-" + std::to_string(::getpid()) + ".data.json");
  {
    std::ofstream out(path);
    out << "{\"N\": 1000000, \"y\": [";
    for (int i = 0; i < 1000000; ++i) out << (i ? "," : "") << i % 97 << ".5";
    out << "], \"ignored\": {\"nested\": \"keys the model does not declare\"}}";
  }
  // An object value is refused even when the model would ignore its key: the file must be data.
  EXPECT_THROW(load_data(path.string()), InputError);
  {
    std::ofstream out(path);
    out << "{\"N\": 1000000, \"y\": [";
    for (int i = 0; i < 1000000; ++i) out << (i ? "," : "") << i % 97 << ".5";
    out << "]}";
  }
  const DataSet d = load_data(path.string());
  ASSERT_EQ(d.at("y").values.size(), 1000000u);
  EXPECT_EQ(d.at("y").values[98], 1.5);
  fs::remove(path);
}

TEST(Data, MissingFile) {
  try {
    load_data("/nonexistent/stochos/d.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/stochos/d.json: error: cannot read the data file");
  }
}

}  // namespace
}  // namespace stochos::io
