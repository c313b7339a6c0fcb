// The engines this build has, by name. Built-in engines are registered in registry.cpp; engines
// built as modules (plugin.hpp) are listed at configure time and opened on first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"

namespace stochos::backends {

// Every engine that runs here, native first. Opens every module engine (slow for torch: use
// get_backend or backend_names where one engine or the names will do).
const std::vector<const Backend*>& all_backends();
// The engine called `name`, opening its module if it has one; InputError listing the valid
// names when there is no such engine, RuntimeError saying why when its module cannot be loaded.
const Backend& get_backend(std::string_view name);
// The names of every engine this build registers, without opening any module.
std::vector<std::string> backend_names();

// One row of `stochos backends`: the engine, or why it is unavailable.
struct EngineStatus {
  std::string name;
  const Backend* backend = nullptr;  // null when unavailable
  std::string problem;
};
std::vector<EngineStatus> engine_status();

}  // namespace stochos::backends
