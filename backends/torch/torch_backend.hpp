// The libtorch engine: lowers a graph once, at compile time, to a flat list of ATen
// calls over tensor slots, and runs that list eagerly per call (Note [torch plan] in step.hpp).
// This header includes no torch header, so the rest of the tree compiles without them; only
// the .cpp files of this folder (and its other headers) see libtorch. Within this namespace
// `torch::` is this engine: libtorch's namespaces are spelled `::torch::`, `::at::`, `::c10::`.
#pragma once

#include <memory>
#include <span>

#include "backends/backend.hpp"

namespace stochos::backends::torch {

// The engine registered as "torch".
std::unique_ptr<Backend> make_backend();

// Torch's own reverse mode instead of the graph's symbolic gradient: compiles the scalar
// `value` (a float node) and d value / d wrt[i] for each float input wrt[i], all computed by
// torch.autograd at run time from the forward ops alone. The executable's outputs are value,
// then one gradient per wrt (shaped and typed like that input); `inputs` lists every input the
// caller supplies, in call order, as for Backend::compile. Compare with Backend::compile on
// the outputs {value, autodiff::grad(value, wrt)...}: the two must agree.
std::unique_ptr<Executable> compile_autograd(const graph::Graph& g,
                                             std::span<const graph::NodeId> inputs,
                                             graph::NodeId value,
                                             std::span<const graph::NodeId> wrt,
                                             const CompileOptions& options = {});

}  // namespace stochos::backends::torch
