// What every inference command does with an infer::Trace (Note [the trace]): the CmdStan CSV of
// its draws with the method's own columns, the summary table and warnings, and the summary JSON.
// The commands differ only in their flags, the method they run and the figures they print.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnostics/summary.hpp"
#include "infer/trace.hpp"
#include "io/cmdstan_csv.hpp"
#include "model/values.hpp"

namespace stochos::cli {

// The traced variables (free variables on their constrained space, then the deterministics) as
// the CSV names them.
std::vector<io::CsvVariable> csv_variables(const model::ValueFunction& values);

// Refuses to replace an existing file unless asked: "FILE exists; choose another FLAG or pass
// --overwrite".
void refuse_overwrite(const std::string& path, bool overwrite, const std::string& flag);

// Writes one chain of a finished trace as a CmdStan CSV: `comments` after the header row (as
// "# " lines), with `point_row` the method's point estimate (its statistics 0, as CmdStan's
// variational CSV has the mean), then every draw.
void write_trace_csv(const std::string& path, const io::CsvHeader& header,
                     const infer::Trace& trace, const model::ValueFunction& values, int chain = 0,
                     bool point_row = false, const std::vector<std::string>& comments = {});

// The traced values of the method's point estimate (Trace::point), one per column name.
std::vector<double> point_values(const infer::Trace& trace, const model::ValueFunction& values);

// The summary of a trace's draws. An interrupted run leaves chains of different lengths, some
// with none: the summary uses the chains that have draws (`used`), each cut to the shortest of
// them (`common` draws; R-hat and ESS need chains of equal length), and the sampler's warnings
// count the same draws. For draws that are not Markov chains, MCSE, ESS and R-hat are NaN.
struct TraceSummary {
  std::vector<diagnostics::SummaryRow> rows;
  diagnostics::SamplerReport report;
  std::vector<int> used;
  std::size_t common = 0;
};
TraceSummary summarize_trace(const infer::Trace& trace, const model::ValueFunction& values,
                             int max_depth = 10);

// The table on `out` and a "warning: ..." line per warning on `err`; nothing without draws.
void print_summary(const TraceSummary& s, std::ostream& out, std::ostream& err);

// SPEC.md §2's "variables" list (NaN as null).
nlohmann::ordered_json variables_json(const std::vector<diagnostics::SummaryRow>& rows);
// The trace's method and figures, for the "sampler" object of a summary JSON.
nlohmann::ordered_json method_json(const infer::Trace& trace, const std::string& backend);
// JSON has no NaN: a figure that could not be computed is null.
nlohmann::ordered_json number(double v);
// An approximation's --summary-json: the variables, and the method with its figures.
void write_summary_json(const std::string& path, const TraceSummary& s, const infer::Trace& trace,
                        const std::string& backend);
// Writes `j` to `path` (InputError naming the flag when it cannot).
void write_json(const std::string& path, const nlohmann::ordered_json& j, const std::string& flag);

}  // namespace stochos::cli
