// scan on the native engine: the body compiled once into a plan of its own, run once per step on
// slots pointed into the caller's rows (Note [native scan] in scan.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "backends/native/executable.hpp"

namespace stochos::backends::native {

struct ScanPlan {
  std::unique_ptr<NativeExecutable> body;
  std::int64_t length = 0;
  bool reverse = false;
  std::size_t row_bytes = 0;  // one packed row of the result
  struct Carry {
    std::uint32_t slot;  // the body's input slot (kUnused: the body ignores it)
    std::size_t offset;  // bytes into a packed row
  };
  struct Sequence {
    std::uint32_t slot;
    std::size_t row_bytes;
  };
  struct Output {
    std::uint32_t slot;  // the body's output slot
    std::size_t offset, bytes;
  };
  std::vector<Carry> carries;
  std::vector<Sequence> sequences;
  std::vector<std::uint32_t> constants;  // the body's input slots
  std::vector<Output> direct;            // written by the body straight into the row
  std::vector<Output> copied;            // copied into the row after the body ran
};

}  // namespace stochos::backends::native
