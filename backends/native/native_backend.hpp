// The embedded engine: plans a graph once into a sequence of whole-array kernels over buffers
// whose memory is reused by liveness, and runs that plan without allocating.
#pragma once

#include <memory>

#include "backends/backend.hpp"

namespace stochos::backends::native {

std::unique_ptr<Backend> make_backend();

}  // namespace stochos::backends::native
