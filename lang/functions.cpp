#include "lang/functions.hpp"

namespace stochos::lang {

namespace {

using graph::Tensor;
using Ints = std::vector<std::int64_t>;
using Tensors = std::vector<Tensor>;

Tensor to_float(const Tensor& t, graph::DType floatx) {
  return t.dtype() == graph::DType::f64 || t.dtype() == graph::DType::f32 ? t
                                                                          : graph::cast(t, floatx);
}

Function unary(Tensor (*f)(const Tensor&)) {
  return {1, 1, 1, false,
          [f](const Tensors& a, const Ints&, graph::DType fx) { return f(to_float(a[0], fx)); }};
}

// sum(x) over every axis, or sum(x, axis).
Function reduction(Tensor (*all)(const Tensor&),
                   Tensor (*axis)(const Tensor&, std::int64_t, bool)) {
  return {1, 2, 1, false, [all, axis](const Tensors& a, const Ints& k, graph::DType fx) {
            const Tensor x = to_float(a[0], fx);
            return k.empty() ? all(x) : axis(x, k[0], false);
          }};
}

}  // namespace

const std::map<std::string, Function>& functions() {
  static const std::map<std::string, Function> table = {
      {"exp", unary(graph::exp)},
      {"log", unary(graph::log)},
      {"log1p", unary(graph::log1p)},
      {"expm1", unary(graph::expm1)},
      {"sqrt", unary(graph::sqrt)},
      {"square", unary(graph::square)},
      {"abs", unary(graph::abs)},
      {"sigmoid", unary(graph::sigmoid)},
      {"logit", unary(graph::logit)},
      {"softplus", unary(graph::softplus)},
      {"log_sigmoid", unary(graph::log_sigmoid)},
      {"tanh", unary(graph::tanh)},
      {"sin", unary(graph::sin)},
      {"cos", unary(graph::cos)},
      {"lgamma", unary(graph::lgamma)},
      {"digamma", unary(graph::digamma)},
      {"erf", unary(graph::erf)},
      {"erfc", unary(graph::erfc)},
      {"log_ndtr", unary(graph::log_ndtr)},
      {"sum", reduction(graph::sum, graph::sum)},
      {"mean", reduction(graph::mean, graph::mean)},
      {"prod", reduction(graph::prod, graph::prod)},
      {"max", reduction(graph::max, graph::max)},
      {"min", reduction(graph::min, graph::min)},
      {"logsumexp", reduction(graph::logsumexp, graph::logsumexp)},
      {"cumsum",
       {1, 2, 1, false,
        [](const Tensors& a, const Ints& k, graph::DType fx) {
          return graph::cumsum(to_float(a[0], fx), k.empty() ? 0 : k[0]);
        }}},
      {"dot",
       {2, 2, 2, false,
        [](const Tensors& a, const Ints&, graph::DType fx) {
          return graph::dot(to_float(a[0], fx), to_float(a[1], fx));
        }}},
      {"where",
       {3, 3, 3, false,
        [](const Tensors& a, const Ints&, graph::DType) {
          return graph::where(a[0], a[1], a[2]);
        }}},
      {"transpose",
       {1, 1, 1, false,
        [](const Tensors& a, const Ints&, graph::DType) { return graph::transpose(a[0]); }}},
      {"concat",
       {1, 2, 1, true,
        [](const Tensors& a, const Ints& k, graph::DType) {
          return graph::concat(a, k.empty() ? 0 : k[0]);
        }}},
      {"stack",
       {1, 2, 1, true,
        [](const Tensors& a, const Ints& k, graph::DType) {
          return graph::stack(a, k.empty() ? 0 : k[0]);
        }}},
  };
  return table;
}

}  // namespace stochos::lang
