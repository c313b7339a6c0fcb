// The native scan (Note [native scan]): bodies whose outputs the plan cannot write in place (a
// carry passed through, a constant, one node returned twice, a reshape view), on the plan path
// (vector carries) and the register path (scalars), against the same body unrolled into the
// graph; and one executable's workspaces used from several threads at once.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "backends/native/executable.hpp"
#include "backends/registry.hpp"
#include "graph/scan.hpp"
#include "support/evaluate.hpp"

namespace stochos::backends::native {
namespace {

using namespace graph;
using testing::Values;

// Carries (c, k): c = 0.5 c + x[t] * k, k passed through unchanged; per-step outputs: c again,
// a constant, c reshaped, and k. Shapes follow `row` (a vector, or a scalar when empty).
ScanStep tricky(const ScanArgs& a) {
  const Tensor c = 0.5 * a.carries[0] + a.sequences[0] * a.carries[1];
  const Shape s = c.shape();
  // A reshape view for vectors; for scalars c once more, so the body stays on the register path.
  const Tensor view = s.empty() ? c : reshape(reshape(c, {numel(s)}), s);
  return {{c, a.carries[1]}, {c, full(a.graph, s, 7.0), view, a.carries[1]}};
}

// The scan, and the same body inlined once per step (the plain loop), flattened alike.
std::pair<Tensor, Tensor> scan_and_loop(const Tensor& x, const Tensor& c0, const Tensor& k0,
                                        bool reverse) {
  const std::vector<Tensor> init = {c0, k0}, seqs = {x};
  const ScanResult r = scan(tricky, init, seqs, {}, std::nullopt, reverse);
  const auto& body = *r.packed.node().attrs.body;
  const std::int64_t length = x.shape()[0];
  std::vector<Tensor> carry = init;
  std::vector<Tensor> rows(static_cast<std::size_t>(length));
  for (std::int64_t i = 0; i < length; ++i) {
    const std::int64_t t = reverse ? length - 1 - i : i;
    std::vector<Tensor> args = carry;
    args.push_back(index(x, t));
    const std::vector<Tensor> out = call_body(body, args);
    std::vector<Tensor> flat;
    for (const Tensor& o : out) flat.push_back(reshape(o, {o.size()}));
    rows[static_cast<std::size_t>(t)] = concat(flat);
    carry = {out[0], out[1]};
  }
  return {reshape(r.packed, {r.packed.size()}), reshape(stack(rows), {r.packed.size()})};
}

TEST(NativeScan, OutputsTheBodyDoesNotComputeInPlaceMatchThePlainLoop) {
  for (const Shape& row : {Shape{3}, Shape{}})
    for (const bool reverse : {false, true}) {
      Graph g;
      Shape seq_shape = {5};
      seq_shape.insert(seq_shape.end(), row.begin(), row.end());
      const Tensor x = input(g, "x", DType::f64, seq_shape);
      const Tensor c0 = input(g, "c0", DType::f64, row);
      const Tensor k0 = input(g, "k0", DType::f64, row);
      const auto [scanned, looped] = scan_and_loop(x, c0, k0, reverse);
      const std::int64_t n = numel(row);
      Values xv, cv, kv;
      for (std::int64_t i = 0; i < 5 * n; ++i) xv.push_back(0.3 * static_cast<double>(i) - 1.0);
      for (std::int64_t i = 0; i < n; ++i) {
        cv.push_back(1.0 + static_cast<double>(i));
        kv.push_back(-0.5 * static_cast<double>(i + 1));
      }
      const auto r = testing::evaluate(get_backend("native"), {x, c0, k0}, {xv, cv, kv},
                                       {scanned, looped}, /*optimize=*/false);
      ASSERT_EQ(r[0].size(), r[1].size());
      for (std::size_t i = 0; i < r[0].size(); ++i)
        EXPECT_EQ(r[0][i], r[1][i])
            << "row " << shape_str(row) << (reverse ? " reversed" : "") << " [" << i << "]";
    }
}

TEST(NativeScan, WorkspacesRunConcurrently) {
  for (const Shape& row : {Shape{4}, Shape{}}) {
    Graph g;
    Shape seq_shape = {50};
    seq_shape.insert(seq_shape.end(), row.begin(), row.end());
    const Tensor x = input(g, "x", DType::f64, seq_shape);
    const Tensor c0 = input(g, "c0", DType::f64, row);
    const Tensor k0 = input(g, "k0", DType::f64, row);
    const auto [scanned, looped] = scan_and_loop(x, c0, k0, false);
    const NodeId in[] = {x.id(), c0.id(), k0.id()};
    const NodeId out[] = {scanned.id(), looped.id()};
    const NativeExecutable exe(g, in, out);
    const std::size_t n = static_cast<std::size_t>(numel(row)), total = 50 * n * 6;
    const auto work = [&](double scale, std::vector<double>& got, std::vector<double>& want) {
      auto ws = exe.make_workspace();
      std::vector<double> xv(50 * n), cv(n, scale), kv(n, 0.25 * scale);
      for (std::size_t i = 0; i < xv.size(); ++i) xv[i] = scale * std::sin(static_cast<double>(i));
      got.assign(total, 0);
      want.assign(total, 0);
      const void* ins[] = {xv.data(), cv.data(), kv.data()};
      void* outs[] = {got.data(), want.data()};
      for (int rep = 0; rep < 200; ++rep) exe.run(*ws, ins, outs);
    };
    std::vector<std::vector<double>> got(4), want(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 4; ++i)
      threads.emplace_back(work, 1.0 + static_cast<double>(i), std::ref(got[i]), std::ref(want[i]));
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(got[i], want[i]) << "thread " << i;
    EXPECT_NE(got[0], got[1]);
  }
}

}  // namespace
}  // namespace stochos::backends::native
