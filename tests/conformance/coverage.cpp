// The coverage table and the tests that keep the case records complete.
#include "coverage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "backends/registry.hpp"

namespace stochos::conformance {
namespace {

struct Tally {
  int total = 0, passed = 0, failed = 0, skipped = 0;
};
using Row = std::array<Tally, 4>;  // indexed by Column

std::mutex g_mu;
std::map<std::string, std::map<std::string, Row>> g_outcomes;  // op -> backend -> columns

bool is_source(const std::string& op) {
  return op == "constant" || op == "input";
}

// Comparisons and logic produce bools, which carry no cotangent: a gradient case that uses them
// (as where's condition) checks nothing about them.
bool counts(const std::string& op, Column col) {
  if (col != Column::gradient && col != Column::second_order) return true;
  for (graph::Op o : graph::all_ops())
    if (graph::op_name(o) == op)
      return graph::op_kind(o) != graph::OpKind::Compare &&
             graph::op_kind(o) != graph::OpKind::Logical;
  return true;
}

std::string cell(const Tally& t) {
  if (t.total == 0) return "-";
  if (t.passed == t.total) return "yes (" + std::to_string(t.total) + ")";
  std::string s = std::to_string(t.passed) + " of " + std::to_string(t.total) + " passed";
  if (t.skipped) s += ", " + std::to_string(t.skipped) + " skipped";
  if (t.failed) s += ", " + std::to_string(t.failed) + " FAILED";
  return s;
}

// Writes the table after a run of the whole suite; a filtered run (one CTest test, say) would
// write a partial table, so it writes nothing.
class CoverageWriter : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* path = std::getenv("STOCHOS_COVERAGE_OUT");
    if (!path || !*path) return;
    const auto* unit = ::testing::UnitTest::GetInstance();
    if (unit->test_to_run_count() != unit->total_test_count()) return;
    std::ofstream(path) << coverage_table();
  }
};
const auto* const kWriter = ::testing::AddGlobalTestEnvironment(new CoverageWriter);

}  // namespace

bool has_gradient(const Case& c) {
  if (!c.gradient) return false;
  for (const Input& in : c.inputs)
    if (in.differentiable && in.dtype == DType::f64) return true;
  return false;
}

Column column_of(const Case& c, Check check) {
  switch (check) {
    case Check::values:
      return c.second_order ? Column::gradient : Column::values;
    case Check::f32:
      return Column::f32;
    case Check::gradient:
      return c.second_order ? Column::second_order : Column::gradient;
  }
  return Column::values;
}

void record(const Case& c, const std::string& backend, Check check, Outcome outcome) {
  std::lock_guard<std::mutex> lock(g_mu);
  const Column col = column_of(c, check);
  for (const auto& op : c.ops) {
    if (!counts(op, col)) continue;
    Tally& t = g_outcomes[op][backend][static_cast<std::size_t>(col)];
    (outcome == Outcome::passed ? t.passed : outcome == Outcome::failed ? t.failed : t.skipped)++;
  }
}

std::string coverage_table() {
  // Totals from the records; outcomes from this run.
  std::map<std::string, std::map<std::string, Row>> rows;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    rows = g_outcomes;
  }
  for (const backends::Backend* b : backends::all_backends())
    for (const Case& c : all_cases()) {
      std::vector<Check> checks = {Check::values};
      if (c.f32_tolerance > 0) checks.push_back(Check::f32);
      if (has_gradient(c)) checks.push_back(Check::gradient);
      for (const Check k : checks)
        for (const auto& op : c.ops)
          if (counts(op, column_of(c, k)))
            rows[op][b->name()][static_cast<std::size_t>(column_of(c, k))].total++;
    }
  std::ostringstream out;
  out << "| op | backend | values | gradient | float32 | second order | xfail / skip |\n"
      << "|---|---|---|---|---|---|---|\n";
  for (graph::Op op : graph::all_ops()) {
    const std::string name(graph::op_name(op));
    if (is_source(name)) continue;
    for (const backends::Backend* b : backends::all_backends()) {
      const Row& r = rows[name][b->name()];
      std::vector<std::string> notes;
      if (auto x = xfail_reason(b->name(), name); !x.empty()) notes.push_back("xfail: " + x);
      if (auto gap = table_gap(name); !gap.empty()) notes.push_back(gap);
      for (const KnownBug& k : kKnownBugs) {
        if (std::string(k.backend) != "*" && b->name() != k.backend) continue;
        for (const Case& c : all_cases())
          if (c.name == k.test && std::find(c.ops.begin(), c.ops.end(), name) != c.ops.end() &&
              counts(name, column_of(c, k.check)))
            notes.push_back(std::string("known bug: ") + k.test + " (" + check_name(k.check) + ")");
      }
      std::string note;
      for (const auto& n : notes) note += (note.empty() ? "" : "; ") + n;
      out << "| " << name << " | " << b->name() << " | " << cell(r[0]) << " | " << cell(r[1])
          << " | " << cell(r[2]) << " | " << cell(r[3]) << " | " << note << " |\n";
    }
  }
  if (!kKnownBugs.empty()) {
    out << "\nKnown bugs (tests/conformance/xfail.hpp):\n\n";
    for (const KnownBug& k : kKnownBugs)
      out << "- `" << k.test << "` (" << check_name(k.check) << ", " << k.backend
          << "): " << k.reason << "\n";
  }
  return out.str();
}

namespace {

std::set<std::string> ops_with(Column col) {
  std::set<std::string> s;
  for (const Case& c : all_cases())
    for (const Check k : {Check::values, Check::f32, Check::gradient}) {
      if (k == Check::f32 && c.f32_tolerance <= 0) continue;
      if (k == Check::gradient && !has_gradient(c)) continue;
      if (column_of(c, k) == col)
        for (const auto& op : c.ops)
          if (counts(op, col)) s.insert(op);
    }
  return s;
}

TEST(ConformanceCoverage, EveryOpHasACase) {
  const auto covered = ops_with(Column::values);
  for (graph::Op op : graph::all_ops()) {
    const std::string name(graph::op_name(op));
    if (is_source(name)) continue;
    EXPECT_TRUE(covered.count(name)) << name << " has no value case";
  }
}

// Every op that carries a cotangent has its rule checked against central differences. Bool
// results (comparisons, logic) take none, casts cross float32 (which differences cannot
// resolve to 1e-6), and table gaps are listed in xfail.hpp.
TEST(ConformanceCoverage, EveryDifferentiableOpHasAGradientCase) {
  const auto covered = ops_with(Column::gradient);
  for (graph::Op op : graph::all_ops()) {
    const std::string name(graph::op_name(op));
    const graph::OpKind k = graph::op_kind(op);
    if (k == graph::OpKind::Source || k == graph::OpKind::Compare || k == graph::OpKind::Logical ||
        k == graph::OpKind::Cast || !table_gap(name).empty())
      continue;
    EXPECT_TRUE(covered.count(name)) << name << " has no gradient case";
  }
}

TEST(ConformanceCoverage, SecondOrderCoversTheCompositesModelsUse) {
  const auto covered = ops_with(Column::second_order);
  for (const char* op : {"exp", "log", "sigmoid", "softplus", "lgamma", "matmul", "cholesky"})
    EXPECT_TRUE(covered.count(op)) << op << " has no second-derivative case";
}

TEST(ConformanceCoverage, CaseNamesAreUniqueAndOpsExist) {
  std::set<std::string> names, ops;
  for (graph::Op op : graph::all_ops()) ops.insert(std::string(graph::op_name(op)));
  for (const Case& c : all_cases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    EXPECT_FALSE(c.ops.empty()) << c.name << " names no op";
    for (const auto& op : c.ops) EXPECT_TRUE(ops.count(op)) << c.name << ": no op " << op;
  }
  for (const KnownBug& k : kKnownBugs)
    EXPECT_TRUE(names.count(k.test)) << "known bug names no case: " << k.test;
}

TEST(ConformanceCoverage, TableHasOneRowPerOpAndBackend) {
  const std::string table = coverage_table();
  for (graph::Op op : graph::all_ops()) {
    const std::string name(graph::op_name(op));
    for (const backends::Backend* b : backends::all_backends()) {
      const std::string row = "| " + name + " | " + b->name() + " | ";
      const auto first = table.find(row);
      if (is_source(name)) {
        EXPECT_EQ(first, std::string::npos) << row;
      } else {
        ASSERT_NE(first, std::string::npos) << row;
        EXPECT_EQ(table.find(row, first + 1), std::string::npos) << row;
      }
    }
  }
  // trigamma has value cases but no gradient column entry, and the table gap says why.
  const auto trigamma = table.find("| trigamma | " + backends::all_backends()[0]->name() + " | ");
  ASSERT_NE(trigamma, std::string::npos);
  std::istringstream row(table.substr(trigamma, table.find('\n', trigamma) - trigamma));
  std::vector<std::string> cells;
  for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
  ASSERT_EQ(cells.size(), 8u);  // "", op, backend, values, gradient, float32, second order, note
  EXPECT_NE(cells[3], " - ") << "values";
  EXPECT_EQ(cells[4], " - ") << "gradient";
  EXPECT_NE(cells[7].find("tetragamma"), std::string::npos) << cells[7];
}

}  // namespace
}  // namespace stochos::conformance
