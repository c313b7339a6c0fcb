// The entry point of the torch engine's module, stochos-torch.so (Note [engine modules] in
// backends/plugin.cpp): the registry opens the module when torch is first asked for.
#include "backends/plugin.hpp"
#include "backends/torch/torch_backend.hpp"

extern "C" stochos::backends::Backend* stochos_engine_create() {
  return stochos::backends::torch::make_backend().release();
}
