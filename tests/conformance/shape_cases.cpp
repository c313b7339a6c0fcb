// Shape ops: reshape, broadcast_to, transpose, concat, stack, slices with steps (negative ones
// too; their gradient is unslice), index, gather by an integer array with repeated indices (its
// gradient is scatter_add), scatter_add itself and sum_to. References index the inputs by hand.
#include "case.hpp"

namespace stochos::conformance {

namespace {

// A case whose reference is a gather of the (first) input's elements by flat index.
Case by_index(std::string name, std::vector<std::string> ops, Shape in, Shape out,
              std::vector<std::int64_t> flat, std::function<Tensor(const Tensor&)> build) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  c.inputs = {Input{std::move(in)}};
  c.build = [build](const std::vector<Tensor>& x) { return build(x[0]); };
  c.reference = [flat, out](const std::vector<Values>& v) {
    Expected e{{}, out};
    for (std::int64_t i : flat) e.values.push_back(v[0][static_cast<std::size_t>(i)]);
    return e;
  };
  c.tolerance = 0;
  c.f32_tolerance = 1e-7;
  return c;
}

std::vector<std::int64_t> range(std::int64_t n) {
  std::vector<std::int64_t> r(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = i;
  return r;
}

}  // namespace

std::vector<Case> shape_cases() {
  std::vector<Case> cases;
  cases.push_back(
      by_index("reshape", {"reshape"}, {2, 6}, {3, 2, 2}, range(12), [](const Tensor& x) {
        return graph::reshape(x, {3, 2, 2});
      }));
  cases.push_back(by_index("reshape_to_scalar", {"reshape"}, {1, 1}, {}, {0},
                           [](const Tensor& x) { return graph::reshape(x, {}); }));
  // broadcast_to [3, 1] -> [2, 3, 4]: element (i, j, k) reads x[j].
  {
    std::vector<std::int64_t> f;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) f.push_back(j);
    cases.push_back(
        by_index("broadcast_to", {"broadcast_to"}, {3, 1}, {2, 3, 4}, f, [](const Tensor& x) {
          return graph::broadcast_to(x, {2, 3, 4});
        }));
  }
  // transpose with perm (2, 0, 1) of [2, 3, 4]: out[a, b, c] = x[b, c, a], out shape [4, 2, 3].
  {
    std::vector<std::int64_t> f;
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 3; ++c) f.push_back(b * 12 + c * 4 + a);
    cases.push_back(
        by_index("transpose_3d", {"transpose"}, {2, 3, 4}, {4, 2, 3}, f, [](const Tensor& x) {
          return graph::transpose(x, {2, 0, 1});
        }));
    std::vector<std::int64_t> t2;
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) t2.push_back(i * 3 + j);
    cases.push_back(by_index("transpose_2d", {"transpose"}, {2, 3}, {3, 2}, t2,
                             [](const Tensor& x) { return graph::transpose(x); }));
  }
  // Slices: x[1:7:2], x[::-1], x[5:1:-2] of a vector, and x[:, 1:] of a matrix.
  cases.push_back(by_index("slice_step", {"slice", "unslice"}, {8}, {3}, {1, 3, 5},
                           [](const Tensor& x) { return graph::slice(x, 0, 1, 7, 2); }));
  cases.push_back(
      by_index("slice_reversed", {"slice", "unslice"}, {5}, {5}, {4, 3, 2, 1, 0},
               [](const Tensor& x) { return graph::slice(x, 0, std::nullopt, std::nullopt, -1); }));
  cases.push_back(by_index("slice_negative_step", {"slice", "unslice"}, {8}, {2}, {5, 3},
                           [](const Tensor& x) { return graph::slice(x, 0, 5, 1, -2); }));
  cases.push_back(by_index("slice_columns", {"slice", "unslice"}, {3, 4}, {3, 3},
                           {1, 2, 3, 5, 6, 7, 9, 10, 11},
                           [](const Tensor& x) { return graph::slice(x, 1, 1, std::nullopt); }));
  cases.push_back(by_index("slice_empty", {"slice"}, {4}, {0}, {},
                           [](const Tensor& x) { return graph::slice(x, 0, 2, 2); }));
  cases.push_back(by_index("index_row", {"slice", "reshape"}, {3, 2}, {2}, {4, 5},
                           [](const Tensor& x) { return graph::index(x, -1); }));
  {
    // concat along axis 1 of [2, 2] and [2, 3], and stack of two [3] vectors.
    Case c;
    c.name = "concat_axis1";
    c.ops = {"concat"};
    c.inputs = {Input{{2, 2}}, Input{{2, 3}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::concat({x[0], x[1]}, 1); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {2, 5}};
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) e.values.push_back(v[0][static_cast<std::size_t>(i * 2 + j)]);
        for (int j = 0; j < 3; ++j) e.values.push_back(v[1][static_cast<std::size_t>(i * 3 + j)]);
      }
      return e;
    };
    c.tolerance = 0;
    cases.push_back(c);
    c.name = "concat_axis0";
    c.inputs = {Input{{1, 3}}, Input{{2, 3}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::concat({x[0], x[1]}, 0); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{v[0], {3, 3}};
      e.values.insert(e.values.end(), v[1].begin(), v[1].end());
      return e;
    };
    cases.push_back(c);
    c.name = "stack_axis1";
    c.ops = {"concat", "reshape"};
    c.inputs = {Input{{3}}, Input{{3}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::stack({x[0], x[1]}, 1); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {3, 2}};
      for (std::size_t i = 0; i < 3; ++i) {
        e.values.push_back(v[0][i]);
        e.values.push_back(v[1][i]);
      }
      return e;
    };
    cases.push_back(c);
  }
  {
    // a[idx] with repeated indices (the a[county] of hierarchical models); rows of a matrix too.
    Case c;
    c.name = "gather_repeated";
    c.ops = {"gather", "scatter_add"};
    const Values idx = {2, 0, 2, 1, 2, 0};
    c.inputs = {Input{{3}}, Input{{6}, DType::i64, 0, 0, idx, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::gather(x[0], x[1]); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {6}};
      for (double i : v[1]) e.values.push_back(v[0][static_cast<std::size_t>(i)]);
      return e;
    };
    c.tolerance = 0;
    c.f32_tolerance = 1e-7;
    cases.push_back(c);
    c.name = "gather_rows";
    c.inputs = {Input{{3, 2}}, Input{{4}, DType::i64, 0, 0, {1, 1, 0, 2}, false}};
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {4, 2}};
      for (double i : v[1])
        for (std::size_t j = 0; j < 2; ++j)
          e.values.push_back(v[0][static_cast<std::size_t>(i) * 2 + j]);
      return e;
    };
    cases.push_back(c);
    c.name = "scatter_add";
    c.ops = {"scatter_add", "gather"};
    c.inputs = {Input{{5}}, Input{{5}, DType::i64, 0, 0, {3, 0, 3, 3, 1}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::scatter_add(x[0], x[1], 4); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{0, 0, 0, 0}, {4}};
      for (std::size_t i = 0; i < 5; ++i) e.values[static_cast<std::size_t>(v[1][i])] += v[0][i];
      return e;
    };
    c.tolerance = 1e-15;
    cases.push_back(c);
  }
  {
    Case c;
    c.name = "sum_to";
    c.ops = {"sum", "reshape"};
    c.inputs = {Input{{2, 3, 4}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::sum_to(x[0], {3, 1}); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{0, 0, 0}, {3, 1}};
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 3; ++b)
          for (int k = 0; k < 4; ++k)
            e.values[static_cast<std::size_t>(b)] +=
                v[0][static_cast<std::size_t>(a * 12 + b * 4 + k)];
      return e;
    };
    c.tolerance = 1e-14;
    cases.push_back(c);
  }
  return cases;
}

}  // namespace stochos::conformance
