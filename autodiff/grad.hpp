// Reverse-mode symbolic differentiation: gradients are emitted as ordinary graph nodes, so every
// engine runs derivatives it never implements, and gradients of gradients work wherever the ops
// used by the rules are themselves differentiable.
#pragma once

#include <vector>

#include "graph/tensor.hpp"

namespace stochos::autodiff {

// d output / d wrt[i] for a scalar `output`. A wrt that `output` does not depend on gets zeros;
// an int64 or bool wrt is not differentiable and gets float64 zeros of its shape.
std::vector<graph::Tensor> grad(const graph::Tensor& output, const std::vector<graph::Tensor>& wrt);

// d output / d wrt[i] holding every other wrt fixed: each wrt is a leaf, and no gradient flows
// through one wrt into the wrts it is computed from. The gradient in a model's constrained
// values, where an interval's bound is another variable (beta1 ~ Uniform(0, 1 - alpha1)).
std::vector<graph::Tensor> partial_grad(const graph::Tensor& output,
                                        const std::vector<graph::Tensor>& wrt);

// The vector-Jacobian product: cotangent (shaped like output) pulled back to each wrt.
std::vector<graph::Tensor> vjp(const graph::Tensor& output, const graph::Tensor& cotangent,
                               const std::vector<graph::Tensor>& wrt);

// The vector-Jacobian product of several outputs at once: the sum of each output's pull-back
// of its cotangent (a scan body's new carries and per-step outputs, autodiff/scan_vjp.cpp).
std::vector<graph::Tensor> vjp(const std::vector<graph::Tensor>& outputs,
                               const std::vector<graph::Tensor>& cotangents,
                               const std::vector<graph::Tensor>& wrt);

// The pull-back rule of one node (vjp_rules.cpp): given the node's inputs, its value and the
// cotangent of its value, the cotangent of each input (an invalid Tensor for inputs that take
// none). Exposed for tests.
std::vector<graph::Tensor> pullback(const graph::Node& node,
                                    const std::vector<graph::Tensor>& inputs,
                                    const graph::Tensor& value, const graph::Tensor& cotangent);

}  // namespace stochos::autodiff
