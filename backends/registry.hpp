// The engines this build has, by name. Engines are registered explicitly in registry.cpp.
#pragma once

#include <string_view>
#include <vector>

#include "backends/backend.hpp"

namespace stochos::backends {

// Every registered engine, native first.
const std::vector<const Backend*>& all_backends();
// The engine called `name`; InputError listing the valid names otherwise.
const Backend& get_backend(std::string_view name);

}  // namespace stochos::backends
