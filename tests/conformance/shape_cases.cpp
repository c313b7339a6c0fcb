// Shape ops: reshape, broadcast_to, transpose, concat, stack, slices with steps (negative ones
// too; their gradient is unslice), unslice itself, index, gather by an integer array with
// repeated indices (its gradient is scatter_add; constant indices read in place by the op using
// them), scatter_add (into few rows, one value per row, rows of a matrix) and sum_to. References
// index the inputs by hand.
#include <tuple>

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
  cases.push_back(by_index("slice_step", {"slice"}, {8}, {3}, {1, 3, 5},
                           [](const Tensor& x) { return graph::slice(x, 0, 1, 7, 2); }));
  cases.push_back(
      by_index("slice_reversed", {"slice"}, {5}, {5}, {4, 3, 2, 1, 0},
               [](const Tensor& x) { return graph::slice(x, 0, std::nullopt, std::nullopt, -1); }));
  cases.push_back(by_index("slice_negative_step", {"slice"}, {8}, {2}, {5, 3},
                           [](const Tensor& x) { return graph::slice(x, 0, 5, 1, -2); }));
  cases.push_back(by_index("slice_columns", {"slice"}, {3, 4}, {3, 3},
                           {1, 2, 3, 5, 6, 7, 9, 10, 11},
                           [](const Tensor& x) { return graph::slice(x, 1, 1, std::nullopt); }));
  cases.push_back(by_index("slice_empty", {"slice"}, {4}, {0}, {},
                           [](const Tensor& x) { return graph::slice(x, 0, 2, 2); }));
  cases.push_back(by_index("index_row", {"slice", "reshape"}, {3, 2}, {2}, {4, 5},
                           [](const Tensor& x) { return graph::index(x, -1); }));
  // One slice node over two axes: rows 4, 2, 0 (step -2) and columns 1, 3, 5 of [5, 6].
  {
    std::vector<std::int64_t> f;
    for (int r : {4, 2, 0})
      for (int col : {1, 3, 5}) f.push_back(r * 6 + col);
    cases.push_back(by_index("slice_two_axes", {"slice"}, {5, 6}, {3, 3}, f, [](const Tensor& x) {
      return graph::apply(graph::Op::slice, {x}, {4, -2, 3, 1, 2, 3});
    }));
  }
  // A reshape of a transposed (so freshly laid out) array, and broadcasts that add leading axes
  // and stretch a middle size-1 axis, or a scalar.
  {
    std::vector<std::int64_t> f;
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) f.push_back(i * 3 + j);
    cases.push_back(
        by_index("reshape_of_transpose", {"reshape", "transpose"}, {2, 3}, {6}, f,
                 [](const Tensor& x) { return graph::reshape(graph::transpose(x), {6}); }));
    std::vector<std::int64_t> b;
    for (int a = 0; a < 2; ++a)
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 4; ++k)
          for (int j = 0; j < 2; ++j) b.push_back(i * 2 + j);
    cases.push_back(by_index("broadcast_to_middle_axis", {"broadcast_to"}, {3, 1, 2}, {2, 3, 4, 2},
                             b, [](const Tensor& x) {
                               return graph::broadcast_to(x, {2, 3, 4, 2});
                             }));
    cases.push_back(by_index("broadcast_to_from_scalar", {"broadcast_to"}, {}, {2, 3},
                             {0, 0, 0, 0, 0, 0}, [](const Tensor& x) {
                               return graph::broadcast_to(x, {2, 3});
                             }));
  }
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
    c.name = "concat_three";
    c.inputs = {Input{{2}}, Input{{1}}, Input{{3}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::concat({x[0], x[1], x[2]}); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{v[0], {6}};
      for (std::size_t k = 1; k < 3; ++k) e.values.insert(e.values.end(), v[k].begin(), v[k].end());
      return e;
    };
    cases.push_back(c);
    c.name = "stack_scalars";
    c.ops = {"concat", "reshape"};
    c.inputs = {Input{{}}, Input{{}}, Input{{}}};
    c.build = [](const std::vector<Tensor>& x) { return graph::stack({x[0], x[1], x[2]}); };
    c.reference = [](const std::vector<Values>& v) {
      return Expected{{v[0][0], v[1][0], v[2][0]}, {3}};
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
    c.ops = {"gather"};
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
    c.ops = {"scatter_add"};
    c.inputs = {Input{{5}}, Input{{5}, DType::i64, 0, 0, {3, 0, 3, 3, 1}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::scatter_add(x[0], x[1], 4); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{0, 0, 0, 0}, {4}};
      for (std::size_t i = 0; i < 5; ++i) e.values[static_cast<std::size_t>(v[1][i])] += v[0][i];
      return e;
    };
    c.tolerance = 1e-15;
    cases.push_back(c);
    // Rows of a matrix, several landing in one row.
    c.name = "scatter_add_rows";
    c.inputs = {Input{{5, 2}}, Input{{5}, DType::i64, 0, 0, {2, 0, 2, 2, 1}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::scatter_add(x[0], x[1], 3); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{Values(6, 0.0), {3, 2}};
      for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 2; ++j)
          e.values[static_cast<std::size_t>(v[1][i]) * 2 + j] += v[0][i * 2 + j];
      return e;
    };
    cases.push_back(c);
  }
  // Constant indices, which the native engine checks once at compile time: many values into few
  // rows (split partial sums), one value per row (a permutation), and a gather read in place by
  // the subtraction that uses it (y - a[group] of hierarchical models).
  const auto groups = [](std::int64_t n, std::int64_t rows) {
    Values g;
    for (std::int64_t i = 0; i < n; ++i) g.push_back(static_cast<double>((i * 7 + i / 5) % rows));
    return g;
  };
  for (const auto& [name, n, rows] :
       {std::tuple<const char*, std::int64_t, std::int64_t>{"scatter_add_few_rows", 1000, 3},
        std::tuple<const char*, std::int64_t, std::int64_t>{"scatter_add_permutation", 6, 6}}) {
    Values idx = groups(n, rows);
    if (n == rows) idx = {4, 1, 5, 0, 3, 2};
    Case c;
    c.name = name;
    c.ops = {"scatter_add"};
    c.inputs = {Input{{n}}};
    const std::int64_t r = rows;
    c.build = [idx, r](const std::vector<Tensor>& x) {
      const auto m = static_cast<std::int64_t>(idx.size());
      return graph::scatter_add(x[0], graph::constant(x[0].graph(), {m}, idx, DType::i64), r);
    };
    c.reference = [idx, r](const std::vector<Values>& v) {
      std::vector<long double> acc(static_cast<std::size_t>(r), 0);
      for (std::size_t i = 0; i < idx.size(); ++i) acc[static_cast<std::size_t>(idx[i])] += v[0][i];
      Expected e{{}, {r}};
      for (long double a : acc) e.values.push_back(static_cast<double>(a));
      return e;
    };
    c.tolerance = 1e-13;
    c.f32_tolerance = n > 100 ? 1e-5 : 1e-7;  // float32 sums of ~333 terms of size <= 2
    cases.push_back(std::move(c));
  }
  {
    const Values idx = groups(40, 3);
    Case c;
    c.name = "gather_constant_indices_fused";
    c.ops = {"gather", "sub"};
    c.inputs = {Input{{40}}, Input{{3}}};
    c.build = [idx](const std::vector<Tensor>& x) {
      return x[0] - graph::gather(x[1], graph::constant(x[0].graph(), {40}, idx, DType::i64));
    };
    c.reference = [idx](const std::vector<Values>& v) {
      Expected e{{}, {40}};
      for (std::size_t i = 0; i < 40; ++i)
        e.values.push_back(v[0][i] - v[1][static_cast<std::size_t>(idx[i])]);
      return e;
    };
    c.tolerance = 1e-15;
    c.f32_tolerance = 1e-7;
    cases.push_back(std::move(c));
  }
  {
    // The fused gather under broadcasting: against a [2, 8] array (the gathered vector repeats
    // per row), against a [8, 1] column (an outer difference), and gathering rows of a matrix.
    const Values idx = {2, 0, 1, 2, 2, 1, 0, 0};
    const auto gathered = [idx](const Tensor& a) {
      return graph::gather(a, graph::constant(a.graph(), {8}, idx, DType::i64));
    };
    Case c;
    c.ops = {"gather", "sub"};
    c.tolerance = 1e-15;
    c.name = "gather_fused_broadcast_rows";
    c.inputs = {Input{{2, 8}}, Input{{3}}};
    c.build = [gathered](const std::vector<Tensor>& x) { return x[0] - gathered(x[1]); };
    c.reference = [idx](const std::vector<Values>& v) {
      Expected e{{}, {2, 8}};
      for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t j = 0; j < 8; ++j)
          e.values.push_back(v[0][r * 8 + j] - v[1][static_cast<std::size_t>(idx[j])]);
      return e;
    };
    cases.push_back(c);
    c.name = "gather_fused_outer";
    c.inputs = {Input{{8, 1}}, Input{{3}}};
    c.build = [gathered](const std::vector<Tensor>& x) { return gathered(x[1]) - x[0]; };
    c.reference = [idx](const std::vector<Values>& v) {
      Expected e{{}, {8, 8}};
      for (std::size_t i = 0; i < 8; ++i)
        for (std::size_t j = 0; j < 8; ++j)
          e.values.push_back(v[1][static_cast<std::size_t>(idx[j])] - v[0][i]);
      return e;
    };
    cases.push_back(c);
    c.name = "gather_fused_matrix_rows";
    c.inputs = {Input{{8, 2}}, Input{{3, 2}}};
    c.build = [gathered](const std::vector<Tensor>& x) { return x[0] - gathered(x[1]); };
    c.reference = [idx](const std::vector<Values>& v) {
      Expected e{{}, {8, 2}};
      for (std::size_t i = 0; i < 8; ++i)
        for (std::size_t j = 0; j < 2; ++j)
          e.values.push_back(v[0][i * 2 + j] - v[1][static_cast<std::size_t>(idx[i]) * 2 + j]);
      return e;
    };
    c.f32_tolerance = 1e-7;
    cases.push_back(c);
  }
  {
    // Rows of a matrix into few rows, with constant indices.
    Values idx;
    for (int i = 0; i < 300; ++i) idx.push_back((i * 5 + i / 7) % 3);
    Case c;
    c.name = "scatter_add_rows_into_few";
    c.ops = {"scatter_add"};
    c.inputs = {Input{{300, 2}}};
    c.build = [idx](const std::vector<Tensor>& x) {
      return graph::scatter_add(x[0], graph::constant(x[0].graph(), {300}, idx, DType::i64), 3);
    };
    c.reference = [idx](const std::vector<Values>& v) {
      std::vector<long double> acc(6, 0);
      for (std::size_t i = 0; i < 300; ++i)
        for (std::size_t j = 0; j < 2; ++j)
          acc[static_cast<std::size_t>(idx[i]) * 2 + j] += v[0][i * 2 + j];
      Expected e{{}, {3, 2}};
      for (long double a : acc) e.values.push_back(static_cast<double>(a));
      return e;
    };
    c.tolerance = 1e-13;
    cases.push_back(std::move(c));
  }
  {
    // A matrix of indices gathers a matrix of rows: out[i, j, :] = x[idx[i, j], :].
    Case c;
    c.name = "gather_index_matrix";
    c.ops = {"gather"};
    c.inputs = {Input{{4, 2}}, Input{{2, 3}, DType::i64, 0, 0, {3, 0, 3, 1, 1, 2}, false}};
    c.build = [](const std::vector<Tensor>& x) { return graph::gather(x[0], x[1]); };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{{}, {2, 3, 2}};
      for (double i : v[1])
        for (std::size_t j = 0; j < 2; ++j)
          e.values.push_back(v[0][static_cast<std::size_t>(i) * 2 + j]);
      return e;
    };
    c.tolerance = 0;
    cases.push_back(std::move(c));
  }
  {
    // unslice, slice's adjoint, on its own: x [2, 3] placed at rows 1, 3 and columns 3, 2, 1
    // (a negative step) of zeros [5, 4].
    Case c;
    c.name = "unslice_negative_step";
    c.ops = {"unslice"};
    c.inputs = {Input{{2, 3}}};
    c.build = [](const std::vector<Tensor>& x) {
      return graph::apply(graph::Op::unslice, {x[0]}, {1, 2, 2, 3, -1, 3, 5, 4});
    };
    c.reference = [](const std::vector<Values>& v) {
      Expected e{Values(20, 0.0), {5, 4}};
      for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) e.values[(1 + 2 * i) * 4 + (3 - j)] = v[0][i * 3 + j];
      return e;
    };
    c.tolerance = 0;
    c.f32_tolerance = 1e-7;
    cases.push_back(std::move(c));
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
