// The runner: every case on every registered backend, values (float64, and float32 where the
// case asks) and gradients (float64, central differences), and the op x backend coverage table
// written to $STOCHOS_COVERAGE_OUT when it is set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/registry.hpp"
#include "case.hpp"
#include "xfail.hpp"

namespace stochos::conformance {
namespace {

// --- Coverage ---------------------------------------------------------------------------------

struct Covered {
  bool values = false, gradient = false, f32 = false;
};
std::mutex g_mu;
std::map<std::string, std::map<std::string, Covered>> g_coverage;  // op -> backend -> what passed

void record(const Case& c, const std::string& backend, bool f32, bool gradient) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (const auto& op : c.ops) {
    Covered& k = g_coverage[op][backend];
    if (gradient)
      k.gradient = true;
    else if (f32)
      k.f32 = true;
    else
      k.values = true;
  }
}

class CoverageTable : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* path = std::getenv("STOCHOS_COVERAGE_OUT");
    if (!path) return;
    std::ofstream out(path);
    out << "| op | backend | values | gradient | float32 | note |\n|---|---|---|---|---|---|\n";
    for (graph::Op op : graph::all_ops()) {
      const std::string name(graph::op_name(op));
      if (name == "constant" || name == "input") continue;
      for (const backends::Backend* b : backends::all_backends()) {
        const Covered k = g_coverage[name][b->name()];
        const auto mark = [](bool v) { return v ? "yes" : "-"; };
        out << "| " << name << " | " << b->name() << " | " << mark(k.values) << " | "
            << mark(k.gradient) << " | " << mark(k.f32) << " | " << xfail_reason(b->name(), name)
            << table_gap(name) << " |\n";
      }
    }
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new CoverageTable);

// --- Running a graph ----------------------------------------------------------------------------

std::vector<unsigned char> to_bytes(const Values& v, DType d) {
  std::vector<unsigned char> out(v.size() * backends::element_size(d) + 8);
  for (std::size_t i = 0; i < v.size(); ++i) switch (d) {
      case DType::f64:
        reinterpret_cast<double*>(out.data())[i] = v[i];
        break;
      case DType::f32:
        reinterpret_cast<float*>(out.data())[i] = static_cast<float>(v[i]);
        break;
      case DType::i64:
        reinterpret_cast<std::int64_t*>(out.data())[i] = static_cast<std::int64_t>(v[i]);
        break;
      case DType::boolean:
        out[i] = v[i] != 0 ? 1 : 0;
        break;
    }
  return out;
}

double from_bytes(const std::vector<unsigned char>& b, DType d, std::size_t i) {
  switch (d) {
    case DType::f64:
      return reinterpret_cast<const double*>(b.data())[i];
    case DType::f32:
      return reinterpret_cast<const float*>(b.data())[i];
    case DType::i64:
      return static_cast<double>(reinterpret_cast<const std::int64_t*>(b.data())[i]);
    case DType::boolean:
      return b[i];
  }
  return 0;
}

// A graph compiled once on a backend (without rewrites: the op itself is under test) and run on
// doubles.
class Compiled {
 public:
  Compiled(const backends::Backend& b, const std::vector<Tensor>& in,
           const std::vector<Tensor>& out)
      : in_(in), out_(out) {
    std::vector<graph::NodeId> i, o;
    for (const auto& t : in) i.push_back(t.id());
    for (const auto& t : out) o.push_back(t.id());
    backends::CompileOptions opts;
    opts.optimize = false;
    exe_ = backends::compile(b, out.at(0).graph(), i, o, opts);
    ws_ = exe_->make_workspace();
  }
  std::vector<Values> operator()(const std::vector<Values>& values) {
    std::vector<std::vector<unsigned char>> ib, ob;
    std::vector<const void*> ip;
    std::vector<void*> op;
    for (std::size_t k = 0; k < in_.size(); ++k) ib.push_back(to_bytes(values[k], in_[k].dtype()));
    for (auto& b : ib) ip.push_back(b.data());
    for (const auto& t : out_)
      ob.emplace_back(static_cast<std::size_t>(t.size()) * backends::element_size(t.dtype()) + 8);
    for (auto& b : ob) op.push_back(b.data());
    exe_->run(*ws_, ip, op);
    std::vector<Values> r;
    for (std::size_t k = 0; k < out_.size(); ++k) {
      Values v(static_cast<std::size_t>(out_[k].size()));
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = from_bytes(ob[k], out_[k].dtype(), i);
      r.push_back(std::move(v));
    }
    return r;
  }

 private:
  std::vector<Tensor> in_, out_;
  std::unique_ptr<backends::Executable> exe_;
  std::unique_ptr<backends::Workspace> ws_;
};

// The case's input values: fixed ones, or drawn with a seed from the case's name.
std::vector<Values> draw_inputs(const Case& c, bool f32) {
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  std::vector<Values> v;
  for (const Input& in : c.inputs) {
    Values x = in.values;
    if (x.empty()) {
      const auto n = static_cast<std::size_t>(graph::numel(in.shape));
      for (std::size_t i = 0; i < n; ++i) {
        const double u = std::uniform_real_distribution<double>(in.lo, in.hi)(rng);
        x.push_back(in.integers ? std::round(u) : u);
      }
    }
    // A float32 run and its reference see the same (rounded) inputs.
    if (f32 && in.dtype == DType::f64)
      for (double& e : x) e = static_cast<float>(e);
    v.push_back(std::move(x));
  }
  return v;
}

std::vector<Tensor> make_inputs(graph::Graph& g, const Case& c, bool f32) {
  std::vector<Tensor> t;
  for (std::size_t k = 0; k < c.inputs.size(); ++k) {
    const DType d = c.inputs[k].dtype == DType::f64 && f32 ? DType::f32 : c.inputs[k].dtype;
    std::string name = "x";
    name.append(std::to_string(k));
    t.push_back(graph::input(g, name, d, c.inputs[k].shape));
  }
  return t;
}

// Equal (infinities and NaN included), or within tol relative to max(1, |want|).
bool close(double got, double want, double tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::abs(got - want) <= tol * std::max(1.0, std::abs(want));
}

// --- Parameters ---------------------------------------------------------------------------------

struct Param {
  const backends::Backend* backend;
  Case c;
  bool f32;
};

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return info.param.backend->name() + "_" + info.param.c.name + (info.param.f32 ? "_f32" : "");
}

std::vector<Param> value_params() {
  std::vector<Param> p;
  for (const backends::Backend* b : backends::all_backends())
    for (const Case& c : all_cases()) {
      p.push_back({b, c, false});
      if (c.f32_tolerance > 0) p.push_back({b, c, true});
    }
  return p;
}

bool has_gradient(const Case& c) {
  if (!c.gradient) return false;
  for (const Input& in : c.inputs)
    if (in.differentiable && in.dtype == DType::f64 && graph::numel(in.shape) > 0) return true;
  return false;
}

std::vector<Param> gradient_params() {
  std::vector<Param> p;
  for (const backends::Backend* b : backends::all_backends())
    for (const Case& c : all_cases())
      if (has_gradient(c)) p.push_back({b, c, false});
  return p;
}

// --- The tests
// ------------------------------------------------------------------------------------

class OpValues : public ::testing::TestWithParam<Param> {};
class OpGradients : public ::testing::TestWithParam<Param> {};

TEST_P(OpValues, MatchTheReference) {
  const auto& [backend, c, f32] = GetParam();
  if (auto why = xfail_reason(backend->name(), c.ops); !why.empty()) GTEST_SKIP() << why;
  graph::Graph g;
  const auto in = make_inputs(g, c, f32);
  const auto values = draw_inputs(c, f32);
  const Tensor out = c.build(in);
  const Expected want = c.reference(values);
  ASSERT_EQ(out.shape(), want.shape) << "shape";
  const Values got = Compiled(*backend, in, {out})(values)[0];
  ASSERT_EQ(got.size(), want.values.size());
  const double tol = f32 ? c.f32_tolerance : c.tolerance;
  bool ok = true;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_PRED3(close, got[i], want.values[i], tol) << "element " << i;
    ok = ok && close(got[i], want.values[i], tol);
  }
  if (ok) record(c, backend->name(), f32, false);
}

TEST_P(OpGradients, MatchCentralDifferences) {
  const auto& [backend, c, f32] = GetParam();
  if (auto why = xfail_reason(backend->name(), c.ops); !why.empty()) GTEST_SKIP() << why;
  graph::Graph g;
  const auto in = make_inputs(g, c, false);
  auto values = draw_inputs(c, false);
  const Tensor out = c.build(in);
  // f = sum(w * out) with fixed weights, so every output element's derivative counts.
  std::mt19937_64 rng(std::hash<std::string>{}(c.name) + 1);
  Values w(static_cast<std::size_t>(out.size()));
  for (double& e : w) e = std::uniform_real_distribution<double>(0.5, 1.5)(rng);
  const Tensor f = graph::sum(graph::constant(g, out.shape(), w) * out);
  std::vector<Tensor> wrt;
  std::vector<std::size_t> which;
  for (std::size_t k = 0; k < in.size(); ++k)
    if (c.inputs[k].differentiable && c.inputs[k].dtype == DType::f64) {
      wrt.push_back(in[k]);
      which.push_back(k);
    }
  const auto grads = autodiff::grad(f, wrt);
  std::vector<Tensor> outs = {f};
  outs.insert(outs.end(), grads.begin(), grads.end());
  Compiled run(*backend, in, outs);
  const auto at = run(values);
  bool ok = true;
  for (std::size_t k = 0; k < which.size(); ++k) {
    Values& x = values[which[k]];
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xi = x[i], h = 1e-6 * std::max(1.0, std::abs(xi));
      x[i] = xi + h;
      const double up = run(values)[0][0];
      x[i] = xi - h;
      const double down = run(values)[0][0];
      x[i] = xi;
      const double fd = (up - down) / (2 * h), ad = at[1 + k][i];
      EXPECT_TRUE(std::isfinite(ad)) << "input " << which[k] << " element " << i;
      EXPECT_NEAR(ad, fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << "input " << which[k] << " element " << i << " at " << xi;
      ok = ok && std::abs(ad - fd) <= 1e-6 * std::max(1.0, std::abs(fd));
    }
  }
  if (ok) record(c, backend->name(), false, true);
}

INSTANTIATE_TEST_SUITE_P(All, OpValues, ::testing::ValuesIn(value_params()), param_name);
INSTANTIATE_TEST_SUITE_P(All, OpGradients, ::testing::ValuesIn(gradient_params()), param_name);

// Every op of the table has at least one case (constant and input are sources, not ops to test).
TEST(ConformanceCoverage, EveryOpHasACase) {
  std::set<std::string> covered;
  for (const Case& c : all_cases()) covered.insert(c.ops.begin(), c.ops.end());
  for (graph::Op op : graph::all_ops()) {
    const std::string name(graph::op_name(op));
    if (name == "constant" || name == "input") continue;
    EXPECT_TRUE(covered.count(name)) << name << " has no conformance case";
  }
}

TEST(ConformanceCoverage, CaseNamesAreUnique) {
  std::set<std::string> names;
  for (const Case& c : all_cases()) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

}  // namespace
}  // namespace stochos::conformance
