// What a trace records at each draw: the constrained values of the free variables and the
// deterministics, computed from the packed unconstrained vector by one compiled function.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "model/log_density.hpp"

namespace stochos::model {

struct TracedVariable {
  std::string name;
  graph::Shape shape;
  std::int64_t offset = 0;  // into the flat output
  bool deterministic = false;
};

// "theta[0]", "Sigma[1, 0]": one name per scalar of the variables, row-major, PyMC/ArviZ style.
std::vector<std::string> element_names(const std::vector<TracedVariable>& variables);

class ValueWorkspace {
 public:
  std::unique_ptr<backends::Workspace> engine;
  std::vector<const void*> in;
  std::vector<void*> out;
  std::unique_ptr<SlotInputs> slots;
};

class ValueFunction {
 public:
  const std::vector<TracedVariable>& variables() const { return vars_; }
  std::int64_t size() const { return size_; }  // scalars per draw
  std::unique_ptr<ValueWorkspace> make_workspace() const;
  // Writes size() values (row-major per variable, variables in order) for the packed point.
  void operator()(ValueWorkspace& ws, const double* theta, double* out) const;
  // "theta[0]", "Sigma[1, 0]": one name per output scalar, PyMC/ArviZ style.
  std::vector<std::string> column_names() const;

 private:
  friend class Model;
  std::shared_ptr<const backends::Executable> exe_;
  graph::DType floatx_ = graph::DType::f64;
  Layout layout_;
  std::vector<TracedVariable> vars_;
  std::int64_t size_ = 0;
  std::vector<std::vector<std::uint64_t>> data_;
};

}  // namespace stochos::model
