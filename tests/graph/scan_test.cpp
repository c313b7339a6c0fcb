// The scan op's graph side (Note [scan] in graph/scan.hpp): shapes and their errors, sharing by
// body structure, folding, printing. Values and gradients on every engine are in
// tests/conformance/scan_cases.cpp.
#include <gtest/gtest.h>

#include <string>

#include "graph/error.hpp"
#include "graph/print.hpp"
#include "graph/scan.hpp"

namespace stochos::graph {
namespace {

// s[t] = a * s[t-1] + x[t]
ScanStep ar1(const ScanArgs& a) {
  return {{a.constants[0] * a.carries[0] + a.sequences[0]}, {}};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const GraphError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Scan, PacksCarriesAndOutputsIntoRows) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {5, 2});
  const Tensor m0 = input(g, "m0", DType::f64, {2});
  const Tensor p0 = input(g, "p0", DType::f64, {});
  const std::vector<Tensor> init = {m0, p0}, seqs = {x};
  const auto r = scan(
      [](const ScanArgs& a) {
        const Tensor m = a.carries[0] + a.sequences[0];
        return ScanStep{{m, a.carries[1] * 2.0}, {sum(m), a.sequences[0] * a.carries[1]}};
      },
      init, seqs, {});
  EXPECT_EQ(r.packed.shape(), (Shape{5, 2 + 1 + 1 + 2}));
  EXPECT_EQ(r.carries[0].shape(), (Shape{5, 2}));
  EXPECT_EQ(r.carries[1].shape(), (Shape{5}));
  EXPECT_EQ(r.outputs[0].shape(), (Shape{5}));
  EXPECT_EQ(r.outputs[1].shape(), (Shape{5, 2}));
  EXPECT_EQ(r.last[0].shape(), (Shape{2}));
  EXPECT_EQ(r.packed.node().attrs.body->row_offset(3), 4);
}

TEST(Scan, ShapeErrorsSayWhatDoesNotFit) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {5});
  const Tensor z = input(g, "z", DType::f64, {4});
  const Tensor a = input(g, "a", DType::f64, {});
  const Tensor v = input(g, "v", DType::f64, {3});
  const Tensor i = input(g, "i", DType::i64, {});
  // A carry whose shape changes in the body.
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{reshape(b.carries[0], {1})}, {}};
                  },
                  std::vector<Tensor>{a}, std::vector<Tensor>{x}, {});
            }).find("carry 0 comes in as float64[] but the body returns float64[1]"),
            std::string::npos);
  // A carry whose dtype changes.
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{cast(b.carries[0], DType::f64)}, {}};
                  },
                  std::vector<Tensor>{i}, std::vector<Tensor>{x}, {});
            }).find("carry 0 comes in as int64[] but the body returns float64[]"),
            std::string::npos);
  // Sequences of different lengths.
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{b.carries[0] + b.sequences[0] + b.sequences[1]}, {}};
                  },
                  std::vector<Tensor>{a}, std::vector<Tensor>{x, z}, {});
            })
                .find("sequence 1 is float64[4]: every sequence needs a leading axis of the scan's "
                      "length 5"),
            std::string::npos);
  // A length that disagrees with the sequences, and a negative one.
  EXPECT_NE(error_of([&] {
              scan(ar1, std::vector<Tensor>{a}, std::vector<Tensor>{x}, std::vector<Tensor>{a}, 4);
            }).find("leading axis of the scan's length 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{b.carries[0] * b.constants[0]}, {}};
                  },
                  std::vector<Tensor>{a}, {}, std::vector<Tensor>{a}, -1);
            }).find("the length must not be negative, got -1"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{b.carries[0] * 2.0}, {}};
                  },
                  std::vector<Tensor>{a}, {}, {});
            }).find("with no sequences the length must be given"),
            std::string::npos);
  // A body returning the wrong number of carries, one of another dtype, or an outer tensor.
  EXPECT_NE(error_of([&] {
              scan([](const ScanArgs&) { return ScanStep{}; }, std::vector<Tensor>{a},
                   std::vector<Tensor>{x}, {});
            }).find("returns 0 carries for 1 initial carries"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{b.carries[0]}, {cast(b.sequences[0], DType::f32)}};
                  },
                  std::vector<Tensor>{a}, std::vector<Tensor>{x}, {});
            }).find("every carry and per-step output of a scan shares one dtype"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              scan(
                  [&](const ScanArgs& b) {
                    return ScanStep{{b.carries[0] * v}, {}};
                  },
                  std::vector<Tensor>{a}, std::vector<Tensor>{x}, {});
            }).find("capture outer tensors with a.capture"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              scan(
                  [](const ScanArgs& b) {
                    return ScanStep{{b.carries[0]}, {}};
                  },
                  std::vector<Tensor>{a}, std::vector<Tensor>{a}, {});
            }).find("sequence 0 is a scalar"),
            std::string::npos);
}

TEST(Scan, EqualBodiesAreSharedAndDifferentOnesAreNot) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {6});
  const Tensor a = input(g, "a", DType::f64, {});
  const Tensor s0 = input(g, "s0", DType::f64, {});
  const std::vector<Tensor> init = {s0}, seqs = {x}, consts = {a};
  // Two bodies traced separately compute the same thing: one node.
  const std::vector<std::pair<DType, Shape>> one = {{DType::f64, {}}};
  const auto b1 = trace_scan_body(ar1, one, one, one).body;
  const auto b2 = trace_scan_body(ar1, one, one, one).body;
  ASSERT_NE(b1, b2);
  const auto r1 = scan(b1, init, seqs, consts);
  EXPECT_EQ(r1.packed.id(), scan(b2, init, seqs, consts).packed.id());
  EXPECT_EQ(r1.packed.id(), scan(ar1, init, seqs, consts).packed.id());
  // Same inputs, a different body (+ instead of *): two nodes.
  const auto r3 = scan(
      [](const ScanArgs& b) {
        return ScanStep{{b.constants[0] + b.carries[0] + b.sequences[0]}, {}};
      },
      init, seqs, consts);
  EXPECT_NE(r1.packed.id(), r3.packed.id());
  // A different constant inside the body: two nodes.
  const auto r4 = scan(
      [](const ScanArgs& b) {
        return ScanStep{{b.constants[0] * b.carries[0] + b.sequences[0] * 2.0}, {}};
      },
      init, seqs, consts);
  const auto r5 = scan(
      [](const ScanArgs& b) {
        return ScanStep{{b.constants[0] * b.carries[0] + b.sequences[0] * 3.0}, {}};
      },
      init, seqs, consts);
  EXPECT_NE(r4.packed.id(), r5.packed.id());
  // The same body reversed: two nodes.
  EXPECT_NE(r1.packed.id(), scan(ar1, init, seqs, consts, std::nullopt, true).packed.id());
}

TEST(Scan, CapturedOuterTensorsBecomeConstants) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {6});
  const Tensor a = input(g, "a", DType::f64, {});
  const Tensor s0 = input(g, "s0", DType::f64, {});
  const std::vector<Tensor> init = {s0}, seqs = {x};
  const auto captured = scan(
      [&](const ScanArgs& b) {
        const Tensor k = b.capture(a);
        EXPECT_EQ(b.capture(a).id(), k.id());  // captured twice: one constant
        return ScanStep{{k * b.carries[0] + b.sequences[0]}, {}};
      },
      init, seqs, {});
  EXPECT_EQ(captured.packed.node().inputs, (std::vector<NodeId>{s0.id(), x.id(), a.id()}));
  EXPECT_EQ(captured.packed.node().attrs.body->constants(), 1u);
  // The same body with `a` passed explicitly is the same node.
  const auto plain = scan(ar1, init, seqs, std::vector<Tensor>{a});
  EXPECT_EQ(captured.packed.id(), plain.packed.id());
}

TEST(Scan, FoldsOverConstants) {
  Graph g;
  const Tensor x = constant(g, {4}, {1, 2, 3, 4});
  const Tensor a = constant(g, 0.5);
  const Tensor s0 = constant(g, 2.0);
  const auto r = scan(ar1, std::vector<Tensor>{s0}, std::vector<Tensor>{x}, std::vector<Tensor>{a});
  ASSERT_TRUE(r.packed.is_constant());
  // 0.5*2+1 = 2, 0.5*2+2 = 3, 0.5*3+3 = 4.5, 0.5*4.5+4 = 6.25
  EXPECT_EQ(*r.packed.node().attrs.data, (std::vector<double>{2, 3, 4.5, 6.25}));
  ASSERT_TRUE(r.last[0].is_constant());
  EXPECT_EQ((*r.last[0].node().attrs.data)[0], 6.25);
  // Reversed: from the end.
  const auto b = scan(ar1, std::vector<Tensor>{s0}, std::vector<Tensor>{x}, std::vector<Tensor>{a},
                      std::nullopt, true);
  ASSERT_TRUE(b.packed.is_constant());
  // t=3: 0.5*2+4 = 5; t=2: 2.5+3 = 5.5; t=1: 2.75+2 = 4.75; t=0: 2.375+1 = 3.375
  EXPECT_EQ(*b.packed.node().attrs.data, (std::vector<double>{3.375, 4.75, 5.5, 5}));
  EXPECT_EQ((*b.last[0].node().attrs.data)[0], 3.375);
}

TEST(Scan, LengthZeroKeepsTheInitialCarry) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {0});
  const Tensor a = input(g, "a", DType::f64, {});
  const Tensor s0 = input(g, "s0", DType::f64, {});
  const auto r = scan(ar1, std::vector<Tensor>{s0}, std::vector<Tensor>{x}, std::vector<Tensor>{a});
  EXPECT_EQ(r.packed.shape(), (Shape{0, 1}));
  EXPECT_EQ(r.carries[0].shape(), (Shape{0}));
  EXPECT_EQ(r.last[0].id(), s0.id());
}

TEST(Scan, PrintsItsBody) {
  Graph g;
  const Tensor x = input(g, "x", DType::f64, {3});
  const Tensor a = input(g, "a", DType::f64, {});
  const auto r = scan(ar1, std::vector<Tensor>{a}, std::vector<Tensor>{x}, std::vector<Tensor>{a});
  const std::string s = to_string(g);
  EXPECT_NE(s.find("scan [3,0] {1 carries, 1 sequences, 1 constants}"), std::string::npos) << s;
  EXPECT_NE(s.find("    | %0 = input 'carry0'"), std::string::npos) << s;
  EXPECT_NE(s.find("    | outputs: %"), std::string::npos) << s;
  EXPECT_NE(to_dot(g, std::vector<NodeId>{r.packed.id()}).find("scan"), std::string::npos);
}

TEST(Scan, ABatchedCallRunsEveryStepAtOnce) {
  Graph g;
  const Tensor a = input(g, "a", DType::f64, {});
  const auto r = scan(ar1, std::vector<Tensor>{a}, std::vector<Tensor>{constant(g, {1}, {1.0})},
                      std::vector<Tensor>{a});
  const auto& body = *r.packed.node().attrs.body;
  ASSERT_TRUE(is_batchable(body));
  // Carries and sequences stacked, the constant as it is: c * k + x per element.
  const auto out = call_body_batched(
      body, std::vector<Tensor>{constant(g, {3}, {1, 2, 3}), constant(g, {3}, {10, 20, 30}),
                                constant(g, 2.0)});
  ASSERT_TRUE(out[0].is_constant());
  EXPECT_EQ(*out[0].node().attrs.data, (std::vector<double>{12, 24, 36}));
  // A body with a reduction is not batchable.
  const Tensor v = input(g, "v", DType::f64, {4, 2});
  const auto s = scan(
      [](const ScanArgs& b) {
        return ScanStep{{}, {sum(b.sequences[0])}};
      },
      {}, std::vector<Tensor>{v}, {});
  EXPECT_FALSE(is_batchable(*s.packed.node().attrs.body));
  EXPECT_THROW(call_body_batched(*s.packed.node().attrs.body, std::vector<Tensor>{v}), GraphError);
}

TEST(Scan, CallBodyInlinesOneStep) {
  Graph g;
  const Tensor a = input(g, "a", DType::f64, {});
  const auto r = scan(ar1, std::vector<Tensor>{a}, std::vector<Tensor>{constant(g, {1}, {1.0})},
                      std::vector<Tensor>{a});
  ASSERT_TRUE(r.packed.node().attrs.body);
  const auto& body = *r.packed.node().attrs.body;
  const auto out =
      call_body(body, std::vector<Tensor>{constant(g, 2.0), constant(g, 5.0), constant(g, 10.0)});
  ASSERT_TRUE(out[0].is_constant());
  EXPECT_EQ((*out[0].node().attrs.data)[0], 25.0);
  EXPECT_THROW(call_body(body, std::vector<Tensor>{a}), GraphError);
}

}  // namespace
}  // namespace stochos::graph
