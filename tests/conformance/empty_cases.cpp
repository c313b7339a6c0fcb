// Size-0 arrays (shapes [0] and [2, 0], and matrices with a zero dimension) through every family:
// the result has the right shape, reductions give their identities, nothing crashes, and the
// gradient graph compiles and runs with the inputs' (empty) shapes.
#include <limits>

#include "case.hpp"

namespace stochos::conformance {

namespace {

using Build = std::function<Tensor(const std::vector<Tensor>&)>;

Case empty(std::string name, std::vector<std::string> ops, std::vector<Input> in, Build build,
           Shape out, Values want = {}) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  c.inputs = std::move(in);
  c.build = std::move(build);
  c.reference = [out, want](const std::vector<Values>&) {
    return Expected{want.empty() ? Values(static_cast<std::size_t>(graph::numel(out)), 0.0) : want,
                    out};
  };
  c.tolerance = 0;
  return c;
}

Input ints(Shape s) {
  return Input{std::move(s), DType::i64, 0, 0, {}, false};
}

}  // namespace

std::vector<Case> empty_cases() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<Case> cases;
  // The float unary kernels (std::, stable logistic, out-of-line special functions) and the
  // broadcasting binary ones.
  for (const Shape& s : {Shape{0}, Shape{2, 0}}) {
    const std::string suffix = s.size() == 1 ? "_0" : "_2x0";
    cases.push_back(empty(
        "unary_chain_empty" + suffix, {"exp", "softplus", "lgamma", "log_ndtr", "tanh"}, {Input{s}},
        [](const std::vector<Tensor>& x) {
          return graph::tanh(graph::log_ndtr(graph::lgamma(graph::softplus(graph::exp(x[0])))));
        },
        s));
  }
  cases.push_back(empty("binary_broadcast_empty", {"mul", "add"},
                        {Input{{2, 0}}, Input{{}}, Input{{1, 0}}},
                        [](const std::vector<Tensor>& x) { return x[0] * x[1] + x[2]; }, {2, 0}));
  cases.push_back(empty(
      "compare_logical_where_empty", {"less", "logical_not", "where"}, {Input{{2, 0}}, Input{{0}}},
      [](const std::vector<Tensor>& x) {
        return graph::where(graph::logical_not(graph::less(x[0], x[1])), x[0], x[1]);
      },
      {2, 0}));
  cases.push_back(empty("cast_empty", {"cast"}, {ints({0})},
                        [](const std::vector<Tensor>& x) { return graph::cast(x[0], DType::f32); },
                        {0}));
  // Reductions over everything or over the empty axis give each identity; over the other axis an
  // empty result. (max/min over an empty axis are graph errors; over all axes, -inf/+inf.)
  cases.push_back(empty("sum_all_empty", {"sum"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::sum(x[0]); }, {}, {0.0}));
  cases.push_back(empty("prod_all_empty", {"prod"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::prod(x[0]); }, {}, {1.0}));
  cases.push_back(empty("logsumexp_all_empty", {"logsumexp"}, {Input{{0}}},
                        [](const std::vector<Tensor>& x) { return graph::logsumexp(x[0]); }, {},
                        {-kInf}));
  cases.back().gradient = false;  // -inf: no finite derivative to compare (the input is empty)
  cases.push_back(empty("max_all_empty", {"max"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::max(x[0]); }, {},
                        {-kInf}));
  cases.back().gradient = false;
  cases.push_back(empty("min_all_empty", {"min"}, {Input{{0}}},
                        [](const std::vector<Tensor>& x) { return graph::min(x[0]); }, {}, {kInf}));
  cases.back().gradient = false;
  cases.push_back(empty("sum_keepdims_of_empty_axis", {"sum"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::sum(x[0], 1, true); },
                        {2, 1}, {0.0, 0.0}));
  cases.push_back(empty("max_over_full_axis_of_empty", {"max"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::max(x[0], 0); }, {0}));
  cases.push_back(empty("cumsum_empty", {"cumsum"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::cumsum(x[0], 1); },
                        {2, 0}));
  // Shape ops.
  cases.push_back(empty("reshape_empty", {"reshape"}, {Input{{2, 0}}},
                        [](const std::vector<Tensor>& x) {
                          return graph::reshape(x[0], {0, 5});
                        },
                        {0, 5}));
  cases.push_back(empty("transpose_empty", {"transpose"}, {Input{{2, 0, 3}}},
                        [](const std::vector<Tensor>& x) {
                          return graph::transpose(x[0], {2, 0, 1});
                        },
                        {3, 2, 0}));
  cases.push_back(empty("broadcast_to_empty", {"broadcast_to"}, {Input{{1, 0}}},
                        [](const std::vector<Tensor>& x) {
                          return graph::broadcast_to(x[0], {3, 0});
                        },
                        {3, 0}));
  {
    // concat with an empty piece: the result is the other piece.
    Case c = empty("concat_with_empty", {"concat"}, {Input{{2, 0}}, Input{{2, 3}}},
                   [](const std::vector<Tensor>& x) {
                     return graph::concat({x[0], x[1]}, 1);
                   },
                   {2, 3});
    c.reference = [](const std::vector<Values>& v) { return Expected{v[1], {2, 3}}; };
    cases.push_back(std::move(c));
  }
  cases.push_back(empty(
      "slice_of_empty", {"slice"}, {Input{{2, 0}}},
      [](const std::vector<Tensor>& x) { return graph::slice(x[0], 0, 1, std::nullopt); }, {1, 0}));
  cases.push_back(empty("unslice_empty", {"unslice"}, {Input{{0, 2}}},
                        [](const std::vector<Tensor>& x) {
                          return graph::apply(graph::Op::unslice, {x[0]}, {0, 1, 0, 0, 1, 2, 3, 2});
                        },
                        {3, 2}));
  cases.push_back(empty("gather_no_indices", {"gather"}, {Input{{3, 2}}, ints({0})},
                        [](const std::vector<Tensor>& x) { return graph::gather(x[0], x[1]); },
                        {0, 2}));
  cases.push_back(empty(
      "gather_empty_rows", {"gather"}, {Input{{3, 0}}, Input{{2}, DType::i64, 0, 0, {2, 0}, false}},
      [](const std::vector<Tensor>& x) { return graph::gather(x[0], x[1]); }, {2, 0}));
  cases.push_back(
      empty("scatter_add_nothing", {"scatter_add"}, {Input{{0}}, ints({0})},
            [](const std::vector<Tensor>& x) { return graph::scatter_add(x[0], x[1], 3); }, {3}));
  // Linear algebra with a zero dimension: an empty inner dimension gives zeros.
  cases.push_back(empty("matmul_empty_inner", {"matmul"}, {Input{{2, 0}}, Input{{0, 3}}},
                        [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1]); },
                        {2, 3}));
  cases.push_back(empty("matmul_empty_rows", {"matmul"}, {Input{{0, 3}}, Input{{3, 2}}},
                        [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1]); },
                        {0, 2}));
  cases.push_back(empty(
      "matmul_empty_columns_transposed", {"matmul"}, {Input{{3, 2}}, Input{{0, 3}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1], true, true); }, {2, 0}));
  cases.push_back(empty("diag_part_empty", {"diag_part"}, {Input{{0, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::diag(x[0]); }, {0}));
  cases.push_back(empty("diag_embed_empty", {"diag_embed"}, {Input{{0}}},
                        [](const std::vector<Tensor>& x) { return graph::diag(x[0]); }, {0, 0}));
  cases.push_back(empty("cholesky_empty", {"cholesky"}, {Input{{0, 0}}},
                        [](const std::vector<Tensor>& x) { return graph::cholesky(x[0]); },
                        {0, 0}));
  cases.push_back(empty(
      "trsolve_empty", {"trsolve"}, {Input{{0, 0}}, Input{{0, 2}}},
      [](const std::vector<Tensor>& x) { return graph::solve_triangular(x[0], x[1]); }, {0, 2}));
  cases.push_back(empty(
      "trsolve_no_columns", {"trsolve"},
      {Input{{2, 2}, DType::f64, 0, 0, {2, 0, 1, 3}}, Input{{2, 0}}},
      [](const std::vector<Tensor>& x) { return graph::solve_triangular(x[0], x[1]); }, {2, 0}));
  return cases;
}

}  // namespace stochos::conformance
