// One univariate distribution under test, as data: its parameters, points of its support with an
// independent reference for the log density there, the parameters to differentiate, its
// moments and CDF for the draws, a parameter value that must be refused and data outside its
// support. Adding a distribution to the tests is adding a record (continuous_records.cpp,
// discrete_records.cpp).
#pragma once

#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace stochos::distributions::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

struct BadParameter {
  std::string name;       // empty: the record has none to test
  double value = 0;       // a constant the family must refuse when the model is built
  std::string condition;  // the condition the message names: "sigma > 0"
};

struct Record {
  std::string family;
  std::vector<std::pair<std::string, double>> params;  // keyword, value (canonical or alternative)
  std::vector<double> xs;                              // points of the support
  std::function<double(double)> logpdf;                // the reference log density (or mass)
  std::vector<std::string> differentiable = {};        // parameters to check gradients for
  double mean = kNaN, variance = kNaN;                 // of the draws (NaN: none exists)
  std::function<double(double)> cdf = nullptr;  // continuous: Kolmogorov-Smirnov of the draws
  BadParameter bad = {};
  std::vector<double> outside = {};  // data outside the support
  std::string label = {};            // tells two records of one family and keywords apart
  double tolerance = 1e-12;          // relative, on the log density
};

// gtest prints a parameter by its family and values rather than its bytes.
inline void PrintTo(const Record& r, std::ostream* os) {
  *os << r.family << "(";
  for (const auto& [k, v] : r.params) *os << k << "=" << v << " ";
  *os << ")";
}

// Discrete records are checked against exp(logpdf) by chi-squared instead of a CDF.
std::vector<Record> continuous_records();
std::vector<Record> discrete_records();

}  // namespace stochos::distributions::testing
