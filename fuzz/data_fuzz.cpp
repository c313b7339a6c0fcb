// libFuzzer target: any bytes as a data JSON file. Only an InputError is an acceptable failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/data.hpp"
#include "stochos/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  try {
    stochos::io::parse_data(std::string_view(reinterpret_cast<const char*>(bytes), size), "fuzz.json");
  } catch (const stochos::InputError&) {
  }
  return 0;
}
