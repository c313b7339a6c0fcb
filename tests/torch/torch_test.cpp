// The torch engine (backends/torch): its identity, whole densities and their gradients against
// the native engine (1e-10 relative in float64), torch's own autograd against the symbolic
// gradient, several threads on one executable, and index errors. The op-by-op check is the
// conformance suite (tests/conformance), which runs on every registered backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/registry.hpp"
#include "backends/torch/torch_backend.hpp"
#include "bench/models.hpp"
#include "graph/tensor.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::backends {
namespace {

using namespace graph;
using Values = std::vector<double>;

const Backend& torch_backend() {
  return get_backend("torch");
}

bool close(double got, double want, double tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::abs(got - want) <= tol * std::max(1.0, std::abs(want));
}

TEST(TorchBackend, IsRegisteredWithItsIdentity) {
  const Backend& b = torch_backend();
  EXPECT_EQ(b.name(), "torch");
  EXPECT_EQ(b.version().rfind("1.", 0), 0u) << b.version();
  const auto devices = b.devices();
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices[0], "cpu");
  for (std::size_t i = 1; i < devices.size(); ++i)
    EXPECT_EQ(devices[i], "cuda:" + std::to_string(i - 1));
  const auto dtypes = b.dtypes();
  EXPECT_NE(std::find(dtypes.begin(), dtypes.end(), DType::f64), dtypes.end());
  EXPECT_NE(std::find(dtypes.begin(), dtypes.end(), DType::f32), dtypes.end());
  // Every node of a whole density and its gradient (the conformance suite asks it of every op,
  // through backends::compile).
  const bench::DensityGraph m = bench::eight_schools_graph();
  for (NodeId id = 0; id < m.graph->size(); ++id)
    EXPECT_TRUE(b.supports(*m.graph, m.graph->node(id))) << op_name(m.graph->node(id).op);
  EXPECT_EQ(all_backends().front()->name(), "native");
}

TEST(TorchBackend, AnUnknownDeviceIsAnInputErrorListingTheValidOnes) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = sum(exp(x));
  const NodeId in[] = {x.id()}, out[] = {y.id()};
  CompileOptions o;
  o.device = "tpu:3";
  try {
    compile(torch_backend(), g, in, out, o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'tpu:3'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("valid devices: cpu"), std::string::npos) << e.what();
  }
}

TEST(TorchBackend, AMissingInputIsAnInputError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor z = input(g, "z", DType::f64, {3});
  Tensor y = sum(x * z);
  const NodeId in[] = {x.id()}, out[] = {y.id()};
  EXPECT_THROW(compile(torch_backend(), g, in, out), InputError);
}

// --- Whole densities against native ---------------------------------------------------------

void expect_same_density(const bench::DensityGraph& m, double tol) {
  bench::CompiledDensity native(m, get_backend("native"));
  bench::CompiledDensity torch(m, torch_backend());
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<double> theta = bench::random_point(m.dim, seed);
    std::vector<double> gn(theta.size()), gt(theta.size());
    const double ln = native(theta.data(), gn.data());
    const double lt = torch(theta.data(), gt.data());
    EXPECT_PRED3(close, lt, ln, tol) << "log p at seed " << seed;
    for (std::size_t i = 0; i < gn.size(); ++i)
      EXPECT_PRED3(close, gt[i], gn[i], tol) << m.names[i] << " at seed " << seed;
  }
}

TEST(TorchBackend, EightSchoolsAgreesWithNative) {
  expect_same_density(bench::eight_schools_graph(), 1e-10);
}

TEST(TorchBackend, LogisticRegressionAgreesWithNative) {
  expect_same_density(bench::logistic_graph(bench::simulate_logistic(500, 5)), 1e-10);
}

TEST(TorchBackend, HierarchicalGatherAgreesWithNative) {
  expect_same_density(bench::hierarchical_graph(bench::simulate_hierarchical(12, 300)), 1e-10);
}

// A multivariate normal through cholesky and trsolve, with slices, concat and a cumsum, both
// rewritten and as built.
TEST(TorchBackend, GarchScanAgreesWithNative) {
  expect_same_density(bench::garch_graph(bench::simulate_garch(40)), 1e-10);
}

TEST(TorchBackend, LinearAlgebraDensityAgreesWithNative) {
  Graph g;
  Tensor theta = input(g, "theta", DType::f64, {9});
  Tensor a = reshape(slice(theta, 0, 0, 6), {2, 3});
  Tensor cov = matmul(a, a, false, true) + full(g, {2, 2}, 0.0) + diag(full(g, {2}, 1.5));
  Tensor l = cholesky(cov);
  Tensor x = reshape(slice(theta, 0, 6, 8), {2, 1});
  Tensor z = solve_triangular(l, x, true);
  Tensor w = solve_triangular(l, z, true, true);
  Tensor rest =
      cumsum(concat({slice(theta, 0, 8, 9), slice(theta, 0, std::nullopt, std::nullopt, -3)}));
  Tensor logp = -0.5 * sum(square(z)) - logdet_from_cholesky(l) * 0.5 + sum(w) + logsumexp(rest) +
                sum(digamma(exp(rest))) + sum(lgamma(exp(rest)));
  const auto grads = autodiff::grad(logp, {theta});
  std::mt19937_64 rng(5);
  std::vector<double> v(9);
  for (double& e : v) e = std::uniform_real_distribution<double>(-1, 1)(rng);
  for (bool optimize : {true, false}) {
    const auto want =
        testing::evaluate(get_backend("native"), {theta}, {v}, {logp, grads[0]}, optimize);
    const auto got = testing::evaluate(torch_backend(), {theta}, {v}, {logp, grads[0]}, optimize);
    for (std::size_t k = 0; k < want.size(); ++k)
      for (std::size_t i = 0; i < want[k].size(); ++i)
        EXPECT_PRED3(close, got[k][i], want[k][i], 1e-10) << "output " << k << " element " << i;
  }
}

TEST(TorchBackend, Float32DensityAgreesWithNative) {
  Graph g;
  Tensor x = input(g, "x", DType::f32, {4});
  Tensor logp = sum(log_sigmoid(x * 3.0) - softplus(x) + log_ndtr(x) + square(x));
  const auto grads = autodiff::grad(logp, {x});
  const std::vector<double> v = {-1.5, -0.25, 0.5, 2.0};
  const auto want = testing::evaluate(get_backend("native"), {x}, {v}, {logp, grads[0]});
  const auto got = testing::evaluate(torch_backend(), {x}, {v}, {logp, grads[0]});
  for (std::size_t k = 0; k < want.size(); ++k)
    for (std::size_t i = 0; i < want[k].size(); ++i)
      EXPECT_PRED3(close, got[k][i], want[k][i], 1e-5) << "output " << k << " element " << i;
}

// --- Edge values, op by op, against native -------------------------------------------------

std::vector<Values> run_both(const std::vector<Tensor>& in, const std::vector<Values>& v,
                             const std::vector<Tensor>& out, std::vector<Values>* native) {
  *native = testing::evaluate(get_backend("native"), in, v, out, false);
  return testing::evaluate(torch_backend(), in, v, out, false);
}

void expect_all_close(const std::vector<Values>& got, const std::vector<Values>& want, double tol,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(got[k].size(), want[k].size());
    for (std::size_t i = 0; i < want[k].size(); ++i)
      EXPECT_PRED3(close, got[k][i], want[k][i], tol)
          << what << " output " << k << " element " << i;
  }
}

TEST(TorchBackend, UnaryOpsAgreeWithNativeAtEdgeValues) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const Values v = {
      -800, -40, -20.5, -3, -2.5, -1, -0.5, -1e-300, 0,    1e-300, 1e-8, 0.5, 1, 1.4616321449683623,
      2,    6.5, 20,    21, 37.5, 50, 800,  inf,     -inf, nan};
  for (DType d : {DType::f64, DType::f32}) {
    Graph g;
    Tensor x = input(g, "x", d, {static_cast<std::int64_t>(v.size())});
    std::vector<Tensor> outs;
    std::vector<std::string> names;
    for (Op op : all_ops())
      if (op_kind(op) == OpKind::Unary) {
        outs.push_back(apply(op, {x}));
        names.emplace_back(op_name(op));
      }
    outs.push_back(cast(x, DType::i64));
    names.emplace_back("cast_i64");
    outs.push_back(cast(x, DType::boolean));
    names.emplace_back("cast_bool");
    std::vector<Values> want;
    const auto got = run_both({x}, {v}, outs, &want);
    const double tol = d == DType::f64 ? 1e-12 : 2e-6;
    for (std::size_t k = 0; k < outs.size(); ++k)
      for (std::size_t i = 0; i < v.size(); ++i)
        EXPECT_PRED3(close, got[k][i], want[k][i], tol)
            << names[k] << "(" << v[i] << ") in " << dtype_name(d);
  }
}

TEST(TorchBackend, ReductionsOfEmptyAndInfiniteSlicesAgreeWithNative) {
  const double inf = std::numeric_limits<double>::infinity();
  Graph g;
  Tensor e = input(g, "e", DType::f64, {0, 3});
  Tensor m = input(g, "m", DType::f64, {2, 3});
  Tensor k = input(g, "k", DType::i64, {0});
  std::vector<Tensor> outs = {sum(e),       prod(e),         max(e),          min(e),
                              logsumexp(e), logsumexp(e, 0), sum(e, 1, true), max(k),
                              min(k),       logsumexp(m, 1), max(m, 0, true), prod(m),
                              logsumexp(m), sum(k),          min(m, 1)};
  std::vector<Values> want;
  const auto got = run_both({e, m, k}, {{}, {-inf, -inf, -inf, 1, inf, -inf}, {}}, outs, &want);
  expect_all_close(got, want, 1e-12, "reductions");
}

TEST(TorchBackend, CholeskyOfANonPositiveDefiniteMatrixIsNaN) {
  for (DType d : {DType::f64, DType::f32}) {
    Graph g;
    Tensor a = input(g, "a", d, {2, 2});
    std::vector<Values> want;
    const auto got = run_both({a}, {{1, 2, 2, 1}}, {cholesky(a)}, &want);
    for (double e : got[0]) EXPECT_TRUE(std::isnan(e)) << dtype_name(d);
    const auto ok = run_both({a}, {{4, 2, 2, 3}}, {cholesky(a)}, &want);
    expect_all_close(ok, want, 1e-6, "cholesky");
  }
}

TEST(TorchBackend, IntegerAndBoolOpsAgreeWithNative) {
  Graph g;
  Tensor i = input(g, "i", DType::i64, {4});
  Tensor j = input(g, "j", DType::i64, {2, 1});
  Tensor b = input(g, "b", DType::boolean, {4});
  std::vector<Tensor> outs = {neg(i),
                              abs(i),
                              sign(i),
                              square(i),
                              i + j,
                              i - j,
                              i * j,
                              maximum(i, j),
                              minimum(i, j),
                              less(i, j),
                              equal(i, j),
                              logical_and(b, less(i, constant(g, 0.0, DType::i64))),
                              logical_or(b, logical_not(b)),
                              where(b, i, broadcast_to(j, {2, 4})),
                              sum(i),
                              prod(i),
                              max(i),
                              cumsum(i),
                              cast(i, DType::f32),
                              cast(b, DType::f64),
                              diag(i),
                              gather(i, constant(g, {3}, {3, 0, 3}, DType::i64)),
                              scatter_add(i, constant(g, {4}, {1, 1, 0, 1}, DType::i64), 2),
                              less(b, logical_not(b))};
  std::vector<Values> want;
  const auto got = run_both({i, j, b}, {{-3, 0, 2, 5}, {1, -4}, {1, 0, 0, 1}}, outs, &want);
  expect_all_close(got, want, 0, "integer ops");
}

// --- Torch's autograd -----------------------------------------------------------------------

void expect_autograd_matches(const bench::DensityGraph& m) {
  const NodeId in[] = {m.theta.id()}, wrt[] = {m.theta.id()};
  auto exe = torch::compile_autograd(*m.graph, in, m.logp.id(), wrt);
  ASSERT_EQ(exe->output_specs().size(), 2u);
  auto ws = exe->make_workspace();
  bench::CompiledDensity native(m, get_backend("native"));
  const std::vector<double> theta = bench::random_point(m.dim, 11);
  std::vector<double> gn(theta.size()), ga(theta.size());
  double la = 0;
  const void* ins[] = {theta.data()};
  void* outs[] = {&la, ga.data()};
  exe->run(*ws, ins, outs);
  const double ln = native(theta.data(), gn.data());
  EXPECT_PRED3(close, la, ln, 1e-10);
  for (std::size_t i = 0; i < gn.size(); ++i)
    EXPECT_PRED3(close, ga[i], gn[i], 1e-10) << m.names[i];
}

TEST(TorchAutograd, EightSchoolsGradientMatchesTheSymbolicOne) {
  expect_autograd_matches(bench::eight_schools_graph());
}

TEST(TorchAutograd, LogisticGradientMatchesTheSymbolicOne) {
  expect_autograd_matches(bench::logistic_graph(bench::simulate_logistic(300, 4)));
}

TEST(TorchAutograd, HierarchicalGradientMatchesTheSymbolicOne) {
  expect_autograd_matches(bench::hierarchical_graph(bench::simulate_hierarchical(10, 200)));
}

// Every differentiable family at once: linear algebra, slices (negative steps), unslice,
// concat, cumsum, gather and scatter_add, reductions and the special functions.
// torch's reverse mode through the scan's loop of ATen ops, against the reverse scan.
TEST(TorchAutograd, GarchScanGradientMatchesTheSymbolicOne) {
  expect_autograd_matches(bench::garch_graph(bench::simulate_garch(40)));
}

TEST(TorchAutograd, ARichDensityMatchesTheSymbolicGradient) {
  Graph g;
  Tensor theta = input(g, "theta", DType::f64, {12});
  Tensor a = reshape(slice(theta, 0, 0, 6), {2, 3});
  Tensor cov = matmul(a, a, false, true) + diag(full(g, {2}, 1.5));
  Tensor l = cholesky(cov);
  Tensor x = reshape(slice(theta, 0, 6, 8), {2, 1});
  Tensor z = solve_triangular(l, x, true);
  Tensor w = solve_triangular(l, z, true, true);
  Tensor rev = slice(theta, 0, std::nullopt, std::nullopt, -3);
  Tensor rest = cumsum(concat({slice(theta, 0, 8, 9), rev}));
  Tensor idx = constant(g, {5}, {0, 2, 2, 1, 3}, DType::i64);
  Tensor gathered = gather(rest, idx);
  Tensor scattered = scatter_add(gathered, idx, 6);
  Tensor logp = -0.5 * sum(square(z)) - logdet_from_cholesky(l) * 0.5 + sum(w) + logsumexp(rest) +
                sum(digamma(exp(rest))) + sum(lgamma(exp(rest))) +
                sum(log_ndtr(scattered * 10.0 - 5.0)) + sum(softplus(gathered)) +
                sum(log_sigmoid(rev)) + max(rest) + sum(sqrt(exp(gathered))) +
                sum(tanh(rest) * sin(rest) / (2.0 + cos(rest))) + sum(erf(rev) - erfc(rev)) +
                sum(where(greater(rest, constant(g, 0.0)), expm1(rest), log1p(exp(rest)))) +
                sum(pow(exp(rev), rev)) + sum(maximum(rev, minimum(rev, rev * 0.5))) +
                sum(sigmoid(rest) * abs(rest));
  const auto symbolic = autodiff::grad(logp, {theta});
  const NodeId in[] = {theta.id()}, wrt[] = {theta.id()};
  auto exe = torch::compile_autograd(g, in, logp.id(), wrt);
  auto ws = exe->make_workspace();
  std::mt19937_64 rng(8);
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<double> v(12), got(12);
    for (double& e : v) e = std::uniform_real_distribution<double>(-1, 1)(rng);
    double value = 0;
    const void* ins[] = {v.data()};
    void* outs[] = {&value, got.data()};
    exe->run(*ws, ins, outs);
    const auto want =
        testing::evaluate(get_backend("native"), {theta}, {v}, {logp, symbolic[0]}, false);
    EXPECT_PRED3(close, value, want[0][0], 1e-10);
    for (std::size_t i = 0; i < got.size(); ++i)
      EXPECT_PRED3(close, got[i], want[1][i], 1e-10) << "element " << i;
  }
}

TEST(TorchAutograd, AnInputTheValueIgnoresGetsZeros) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor u = input(g, "u", DType::f64, {3});
  Tensor y = sum(square(x));
  const NodeId in[] = {x.id(), u.id()}, wrt[] = {x.id(), u.id()};
  auto exe = torch::compile_autograd(g, in, y.id(), wrt);
  auto ws = exe->make_workspace();
  const double xv[] = {1.5, -2}, uv[] = {1, 2, 3};
  double value = 0, gx[2] = {}, gu[3] = {9, 9, 9};
  const void* ins[] = {xv, uv};
  void* outs[] = {&value, gx, gu};
  exe->run(*ws, ins, outs);
  EXPECT_DOUBLE_EQ(value, 6.25);
  EXPECT_DOUBLE_EQ(gx[0], 3);
  EXPECT_DOUBLE_EQ(gx[1], -4);
  for (double e : gu) EXPECT_EQ(e, 0);
}

// --- Threads --------------------------------------------------------------------------------

TEST(TorchBackend, OneExecutableServesSeveralThreads) {
  const bench::DensityGraph m = bench::hierarchical_graph(bench::simulate_hierarchical(20, 400));
  const NodeId in[] = {m.theta.id()}, out[] = {m.logp.id(), m.grad.id()};
  auto exe = compile(torch_backend(), *m.graph, in, out);
  bench::CompiledDensity native(m, get_backend("native"));
  constexpr int kThreads = 4, kCalls = 50;
  std::vector<std::vector<double>> points;
  std::vector<double> want_lp;
  std::vector<std::vector<double>> want_grad;
  for (int i = 0; i < kCalls; ++i) {
    points.push_back(bench::random_point(m.dim, 100 + i));
    want_grad.emplace_back(m.dim);
    want_lp.push_back(native(points.back().data(), want_grad.back().data()));
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto ws = exe->make_workspace();
      std::vector<double> grad(static_cast<std::size_t>(m.dim));
      for (int rep = 0; rep < 3; ++rep)
        for (int i = 0; i < kCalls; ++i) {
          const int k = (i + t * 7) % kCalls;
          double lp = 0;
          const void* ins[] = {points[k].data()};
          void* outs[] = {&lp, grad.data()};
          exe->run(*ws, ins, outs);
          bool ok = close(lp, want_lp[k], 1e-10);
          for (std::size_t j = 0; j < grad.size(); ++j)
            ok = ok && close(grad[j], want_grad[k][j], 1e-10);
          mismatches[t] += ok ? 0 : 1;
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// --- Index errors ---------------------------------------------------------------------------

std::string run_error(const Tensor& x, const Tensor& idx, const Tensor& y,
                      const std::vector<double>& xv, const std::vector<std::int64_t>& iv) {
  const NodeId in[] = {x.id(), idx.id()}, out[] = {y.id()};
  auto exe = compile(torch_backend(), x.graph(), in, out);
  auto ws = exe->make_workspace();
  std::vector<double> result(static_cast<std::size_t>(y.size()));
  const void* ins[] = {xv.data(), iv.data()};
  void* outs[] = {result.data()};
  try {
    exe->run(*ws, ins, outs);
  } catch (const RuntimeError& e) {
    return e.what();
  }
  return "";
}

TEST(TorchBackend, AGatherIndexOutOfRangeIsARuntimeError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3, 2});
  Tensor idx = input(g, "idx", DType::i64, {2});
  Tensor y = gather(x, idx);
  const std::vector<double> xv = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(run_error(x, idx, y, xv, {0, 5}), "gather: index 5 is out of range for 3 rows");
  EXPECT_EQ(run_error(x, idx, y, xv, {-1, 0}), "gather: index -1 is out of range for 3 rows");
  EXPECT_EQ(run_error(x, idx, y, xv, {2, 0}), "");
}

TEST(TorchBackend, AScatterIndexOutOfRangeIsARuntimeError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor idx = input(g, "idx", DType::i64, {2});
  Tensor y = scatter_add(x, idx, 3);
  EXPECT_EQ(run_error(x, idx, y, {1, 2}, {3, 0}),
            "scatter_add: index 3 is out of range for 3 rows");
  EXPECT_EQ(run_error(x, idx, y, {1, 2}, {1, 1}), "");
}

TEST(TorchBackend, AConstantScatterIndexOutOfRangeIsACompileError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor y = scatter_add(x, constant(g, {2}, {0, 4}, DType::i64), 3);
  const NodeId in[] = {x.id()}, out[] = {y.id()};
  CompileOptions o;
  o.optimize = false;
  try {
    compile(torch_backend(), g, in, out, o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "scatter_add: index 4 is out of range for 3 rows");
  }
}

// The engine leaves nothing behind: after an error the same workspace runs again.
TEST(TorchBackend, AWorkspaceRecoversAfterAnError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor idx = input(g, "idx", DType::i64, {1});
  Tensor y = sum(gather(exp(x), idx));
  const NodeId in[] = {x.id(), idx.id()}, out[] = {y.id()};
  auto exe = compile(torch_backend(), g, in, out);
  auto ws = exe->make_workspace();
  const double xv[] = {0, 1, 2};
  std::int64_t bad[] = {7}, good[] = {1};
  double r = 0;
  void* outs[] = {&r};
  const void* ins_bad[] = {xv, bad};
  EXPECT_THROW(exe->run(*ws, ins_bad, outs), RuntimeError);
  const void* ins_good[] = {xv, good};
  exe->run(*ws, ins_good, outs);
  EXPECT_DOUBLE_EQ(r, std::exp(1.0));
}

}  // namespace
}  // namespace stochos::backends
