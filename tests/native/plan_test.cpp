// The native engine's planner and executable: memory reuse, views, workspaces per thread,
// allocation-free calls, float32 plans and input binding errors.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <thread>

#include "backends/native/executable.hpp"
#include "backends/registry.hpp"
#include "graph/tensor.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

// Counts heap allocations so a test can assert that run() makes none. (g++ 12 warns that the
// replacement delete frees what the replacement new returned, which is exactly the point.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace stochos::backends::native {
namespace {

using namespace graph;

TEST(NativePlan, ReusesMemoryOfDeadBuffers) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {1000});
  Tensor y = x;
  for (int i = 0; i < 20; ++i) y = exp(y) * 0.5;  // a chain of 40 intermediate buffers
  const NodeId in[] = {x.id()};
  const NodeId out[] = {sum(y).id()};
  NativeExecutable exe(g, in, out);
  // Two or three live buffers of 8000 bytes at a time, never forty.
  EXPECT_LE(exe.arena_bytes(), 4u * 8064u);
}

TEST(NativePlan, ReshapeIsAViewThatKeepsItsStorageAlive) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor r = reshape(exp(x), {3, 2});
  Tensor z = transpose(r) + 1.0;
  const auto v = testing::evaluate(get_backend("native"), {x}, {{0, 1, 2, 3, 4, 5}}, {z, r}, false);
  ASSERT_EQ(v[0].size(), 6u);
  // r = exp(x) viewed as 3x2; z = r^T + 1: z[i][j] = r[j][i] + 1 = exp(x_flat[2j + i]) + 1.
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(v[0][i * 3 + j], std::exp(2.0 * j + i) + 1.0);
  for (int k = 0; k < 6; ++k) EXPECT_DOUBLE_EQ(v[1][k], std::exp(k));
}

TEST(NativePlan, RunAllocatesNothing) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {64});
  Tensor idx = constant(g, {5}, {0, 3, 3, 63, 1}, DType::i64);
  Tensor y = sum(softplus(x)) * 2.0 + sum(gather(x, idx)) + logsumexp(x) + sum(cumsum(x));
  const NodeId in[] = {x.id()};
  const NodeId out[] = {y.id()};
  NativeExecutable exe(g, in, out);
  auto ws = exe.make_workspace();
  std::vector<double> xv(64, 0.25), yv(1);
  const void* ins[] = {xv.data()};
  void* outs[] = {yv.data()};
  exe.run(*ws, ins, outs);
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) exe.run(*ws, ins, outs);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_TRUE(std::isfinite(yv[0]));
}

TEST(NativePlan, ConcurrentCallsWithOwnWorkspacesAgree) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {256});
  Tensor y = sum(log1p(exp(x)) * x) + max(x);
  const NodeId in[] = {x.id()};
  const NodeId out[] = {y.id()};
  NativeExecutable exe(g, in, out);
  auto reference = [&](double shift) {
    double s = 0, m = -INFINITY;
    for (int i = 0; i < 256; ++i) {
      const double v = std::sin(i + shift);
      s += std::log1p(std::exp(v)) * v;
      m = std::max(m, v);
    }
    return s + m;
  };
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto ws = exe.make_workspace();
      std::vector<double> xv(256), yv(1);
      for (int rep = 0; rep < 500; ++rep) {
        const double shift = t * 1000 + rep;
        for (int i = 0; i < 256; ++i) xv[i] = std::sin(i + shift);
        const void* ins[] = {xv.data()};
        void* outs[] = {yv.data()};
        exe.run(*ws, ins, outs);
        if (std::abs(yv[0] - reference(shift)) > 1e-9 * std::abs(reference(shift))) ++mismatches;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(NativePlan, Float32Plan) {
  Graph g;
  Tensor x = input(g, "x", DType::f32, {3});
  Tensor y = sum(exp(x) * 2.0);
  EXPECT_EQ(y.dtype(), DType::f32);
  const auto v = testing::evaluate(get_backend("native"), {x}, {{0.0, 1.0, -1.0}}, {y}, false);
  EXPECT_NEAR(v[0][0], 2.0 * (1.0 + std::exp(1.0) + std::exp(-1.0)), 1e-5);
}

TEST(NativePlan, MissingInputIsAnInputError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor z = input(g, "z", DType::f64, {3});
  const NodeId in[] = {x.id()};
  const NodeId out[] = {sum(x * z).id()};
  EXPECT_THROW(NativeExecutable(g, in, out), InputError);
}

TEST(NativePlan, GatherIndexFromInputIsChecked) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor i = input(g, "i", DType::i64, {2});
  Tensor y = gather(x, i);
  EXPECT_THROW(testing::evaluate(get_backend("native"), {x, i}, {{1, 2, 3}, {0, 7}}, {y}, false),
               RuntimeError);
  const auto v = testing::evaluate(get_backend("native"), {x, i}, {{1, 2, 3}, {2, 0}}, {y}, false);
  EXPECT_EQ(v[0], (std::vector<double>{3, 1}));
}

TEST(NativePlan, CholeskyOfIndefiniteMatrixIsNaNNotAnError) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {2, 2});
  const auto v =
      testing::evaluate(get_backend("native"), {a}, {{1, 2, 2, 1}}, {cholesky(a)}, false);
  EXPECT_TRUE(std::isnan(v[0][0]));
}

TEST(NativePlan, UnknownDeviceIsAnInputError) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  const NodeId in[] = {x.id()};
  const NodeId out[] = {sum(x).id()};
  CompileOptions opts;
  opts.device = "cuda:0";
  EXPECT_THROW(get_backend("native").compile(g, in, out, opts), InputError);
}

TEST(NativePlan, BroadcastModes) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {2, 1});
  Tensor b = input(g, "b", DType::f64, {3});
  Tensor s = input(g, "s", DType::f64, {});
  const auto v = testing::evaluate(get_backend("native"), {a, b, s}, {{1, 2}, {10, 20, 30}, {100}},
                                   {a + b, s - b, b / s, where(greater(b, s * 0.15), b, s)}, false);
  EXPECT_EQ(v[0], (std::vector<double>{11, 21, 31, 12, 22, 32}));
  EXPECT_EQ(v[1], (std::vector<double>{90, 80, 70}));
  EXPECT_EQ(v[2], (std::vector<double>{0.1, 0.2, 0.3}));
  EXPECT_EQ(v[3], (std::vector<double>{100, 20, 30}));
}

}  // namespace
}  // namespace stochos::backends::native
