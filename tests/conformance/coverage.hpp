// The op x backend coverage table: which checks exist for each op (from the case records) and
// how they fared in this run. Written to $STOCHOS_COVERAGE_OUT after a full run of the suite.
#pragma once

#include <string>

#include "case.hpp"
#include "xfail.hpp"

namespace stochos::conformance {

// The columns of the table. A second-order case's value check is a gradient check (its output
// is a gradient, compared with a closed form) and its gradient check is a Hessian check.
enum class Column { values, gradient, f32, second_order };

enum class Outcome { passed, failed, skipped };

// True when the case has a float64 input whose gradient it checks (size 0 included: the
// gradient graph must still compile and have the right shape).
bool has_gradient(const Case& c);

// Which column a test of the case counts in.
Column column_of(const Case& c, Check check);

// Records one test's outcome for every op the case names.
void record(const Case& c, const std::string& backend, Check check, Outcome outcome);

// The markdown table over every op (but constant and input) and every registered backend.
std::string coverage_table();

}  // namespace stochos::conformance
