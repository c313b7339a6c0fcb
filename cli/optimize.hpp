// `stochos optimize`'s job, shared with the tests: the MAP by L-BFGS (infer/optimize), optionally
// Laplace draws around it (infer/laplace), printed as a table or SPEC.md §1.3's JSON and written
// as CmdStan's optimize or laplace CSV.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "infer/optimize.hpp"
#include "model/model.hpp"

namespace stochos::cli {

struct OptimizeSettings {
  infer::OptimizeOptions optimizer;    // L-BFGS's settings, the Jacobian, the seed
  int laplace_draws = 0;               // 0: no Laplace approximation
  std::string format = "table";        // or "json"
  std::string output;                  // a CSV path, or empty
  bool overwrite = false;              // replace an existing --output
  std::optional<std::string> backend;  // the flag; else the configuration
  std::string model_name = "model", data_file;
};

// Prints the result on `out` (the table's figures on `err`) and returns 0. Throws InputError /
// RuntimeError; a line search that failed (CmdStan's "terminated with error") is a RuntimeError
// after the result has been printed and written.
int run_optimize(const model::Model& m, const OptimizeSettings& s, std::ostream& out,
                 std::ostream& err);

}  // namespace stochos::cli
