// scan on the native engine: the body compiled once into a plan of its own, run once per step on
// slots pointed into the caller's rows (Note [native scan] in scan.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "backends/native/executable.hpp"

namespace stochos::backends::native {

// A body of float64 scalars only (GARCH, ARMA, Kalman filters in one dimension), run as straight
// code over a register file instead of a plan (Note [native scan]).
struct ScalarBody {
  // The arithmetic of recurrences is decoded inline; any other op is a call.
  enum class Code : std::uint8_t { add, sub, mul, div, neg, square, call };
  struct Instr {
    Code code;
    std::uint32_t dst, a, b;
    void (*fn)(double* r, const Instr& i);
  };
  static constexpr std::size_t kMaxRegisters = 1024;  // one per body node, on the stack
  static constexpr std::uint32_t kNone = 0xffffffffu;
  std::vector<Instr> code;
  std::vector<std::pair<std::uint32_t, double>> constants;
  std::vector<std::uint32_t> inputs;   // the register of each body input (its node id)
  std::vector<std::uint32_t> outputs;  // the register of each body output
};

struct ScanPlan {
  std::unique_ptr<NativeExecutable> body;  // null when `scalar` runs the body
  std::unique_ptr<ScalarBody> scalar;
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
