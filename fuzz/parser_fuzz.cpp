// libFuzzer target: any bytes as a .stoch model, parsed and built against fixed data. The only
// acceptable failure is an InputError; anything else (another exception, a crash, a sanitizer
// report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const stochos::io::DataSet data = stochos::io::parse_data(
      R"({"J": 3, "N": 4, "y": [1.5, -0.5, 2.0], "idx": [0, 2, 1, 2], "X": [[1, 2], [3, 4], [5, 6]],
          "m": [0.5, null, 1.5, null]})",
      "fuzz.data.json");
  const std::string_view source(reinterpret_cast<const char*>(bytes), size);
  try {
    const auto program = stochos::lang::parse(source, "fuzz.stoch");
    stochos::lang::build(program, data);
  } catch (const stochos::InputError&) {
  }
  return 0;
}
