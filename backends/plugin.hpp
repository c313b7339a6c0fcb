// Engines built as loadable modules (Note [engine modules] in plugin.cpp). A heavy engine such as
// torch lives in its own shared object, opened the first time it is asked for, so a run on the
// native engine never pays for loading libtorch (0.7 s and 160 MB at every start otherwise).
#pragma once

#include <memory>
#include <string>

#include "backends/backend.hpp"

namespace stochos::backends {

// What a module exports, with C linkage so dlsym finds it by this name: a new engine, owned by
// the caller. A module is built from the engine's folder (backends/torch/CMakeLists.txt).
extern "C" using EngineFactory = Backend * ();
inline constexpr const char* engine_factory_symbol = "stochos_engine_create";

// The module of the engine called `name` (`stochos-NAME.so`), searched for in the folders of
// $STOCHOS_ENGINE_PATH (':'-separated), then `engines/` beside the running program and beside
// its parent folder, then the folder the build put it in. Null with `problem` set to one line
// (not found where, or the loader's message) when it cannot be loaded.
std::unique_ptr<Backend> load_engine_module(const std::string& name, std::string& problem);

}  // namespace stochos::backends
