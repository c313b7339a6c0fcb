// Steady inputs (Note [steady inputs] in backends/native/executable.hpp): the steps that depend on
// them alone run only when their values change, and every call returns what a fresh run gives.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/native/executable.hpp"
#include "graph/tensor.hpp"

namespace stochos::backends::native {
namespace {

using namespace graph;

// log p of a two-class membership model, written as a model builds it: z (int64, steady) picks
// each point's mean, its prior counts the ones, and a support check and casts depend on z alone.
struct Membership {
  Graph g;
  Tensor mu, z, logp, dmu;
  Membership() {
    mu = input(g, "mu", DType::f64, {2});
    z = input(g, "z", DType::i64, {6});
    Tensor y = constant(g, {6}, {-1.0, 2.0, 0.5, 3.0, -2.0, 1.5});
    Tensor zf = cast(z, DType::f64);
    Tensor in_support =
        logical_or(equal(zf, scalar_like(zf, 0.0)), equal(zf, scalar_like(zf, 1.0)));
    Tensor prior = sum(where(greater(zf, scalar_like(zf, 0.5)), scalar_like(zf, std::log(0.3)),
                             scalar_like(zf, std::log(0.7))));
    Tensor all_in = min(cast(in_support, DType::f64));
    Tensor checked =
        where(greater(all_in, scalar_like(all_in, 0.5)), prior, scalar_like(prior, -INFINITY));
    Tensor r = y - gather(mu, z);
    logp = checked - 0.5 * sum(square(r));
    dmu = scatter_add(r, z, 2);
  }
};

double run_once(const NativeExecutable& exe, Workspace& ws, std::vector<double>& mu,
                std::vector<std::int64_t>& z, std::vector<double>& dmu) {
  double lp = 0;
  const void* in[] = {mu.data(), z.data()};
  void* out[] = {&lp, dmu.data()};
  exe.run(ws, in, out);
  return lp;
}

TEST(SteadyInputs, StepsOnTheSteadyInputAloneAreKeptBetweenCalls) {
  Membership m;
  const NodeId in[] = {m.mu.id(), m.z.id()}, out[] = {m.logp.id(), m.dmu.id()};
  const char steady[] = {0, 1};
  const NativeExecutable cached(m.g, in, out, steady), plain(m.g, in, out);
  EXPECT_GT(cached.steady_step_count(), 3u);  // the cast, compares, or, the prior's select...
  EXPECT_EQ(plain.steady_step_count(), 0u);
  auto ws = cached.make_workspace();
  std::vector<double> mu = {-1.0, 2.0}, d(2), d_ref(2);
  std::vector<std::int64_t> z = {0, 1, 0, 1, 0, 1};
  // The same z buffer, changed in place between calls: moving mu alone, then z, then both;
  // each call against a fresh workspace of the plain plan.
  const std::vector<std::pair<std::vector<double>, std::vector<std::int64_t>>> calls = {
      {{-1.0, 2.0}, {0, 1, 0, 1, 0, 1}}, {{-0.5, 2.5}, {0, 1, 0, 1, 0, 1}},
      {{-0.5, 2.5}, {1, 1, 0, 1, 0, 0}}, {{0.0, 1.0}, {0, 0, 0, 1, 1, 1}},
      {{0.0, 1.0}, {0, 0, 0, 1, 1, 1}},  {{0.3, 1.0}, {1, 1, 1, 1, 1, 1}},
      {{0.3, 1.0}, {1, 1, 1, 1, 1, 1}},  {{0.3, 1.0}, {0, 0, 0, 1, 1, 1}}};
  for (std::size_t c = 0; c < calls.size(); ++c) {
    mu = calls[c].first;
    z = calls[c].second;
    const double got = run_once(cached, *ws, mu, z, d);
    auto fresh = plain.make_workspace();
    const double want = run_once(plain, *fresh, mu, z, d_ref);
    EXPECT_EQ(got, want) << "call " << c;
    EXPECT_EQ(d, d_ref) << "call " << c;
  }
}

// A kept value must not share memory with a node that died earlier in the plan: that node is
// computed again on every call, the kept one only when z changes.
TEST(SteadyInputs, KeptValuesHaveStorageOfTheirOwn) {
  for (bool steady_first : {false, true}) {
    Graph g;
    Tensor x = input(g, "x", DType::f64, {16});
    Tensor z = input(g, "z", DType::i64, {16});
    Tensor early = sum(exp(x) * x);  // exp(x) * x: a 16-vector that dies at its sum
    Tensor kept = cast(z, DType::f64) * 3.0 + 1.0;
    Tensor out = steady_first ? sum(kept * x) + early : early + sum(kept * x);
    const NodeId in[] = {x.id(), z.id()}, outs[] = {out.id(), kept.id()};
    const char steady[] = {0, 1};
    const NativeExecutable cached(g, in, outs, steady), plain(g, in, outs);
    auto ws = cached.make_workspace();
    std::vector<double> xs(16);
    std::vector<std::int64_t> zs(16);
    for (int k = 0; k < 16; ++k) zs[static_cast<std::size_t>(k)] = k % 3;
    for (int call = 0; call < 4; ++call) {
      for (int k = 0; k < 16; ++k) xs[static_cast<std::size_t>(k)] = 0.1 * (k + call);
      double got = 0, want = 0;
      std::vector<double> kept_got(16), kept_want(16);
      const void* args[] = {xs.data(), zs.data()};
      void* res_got[] = {&got, kept_got.data()};
      void* res_want[] = {&want, kept_want.data()};
      cached.run(*ws, args, res_got);
      auto fresh = plain.make_workspace();
      plain.run(*fresh, args, res_want);
      EXPECT_EQ(got, want) << "call " << call;
      EXPECT_EQ(kept_got, kept_want) << "call " << call;
    }
  }
}

}  // namespace
}  // namespace stochos::backends::native
