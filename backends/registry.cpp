#include "backends/registry.hpp"

#include <memory>

#include "backends/native/native_backend.hpp"
#ifdef STOCHOS_HAVE_TORCH
#include "backends/torch/torch_backend.hpp"
#endif
#include "stochos/error.hpp"

namespace stochos::backends {

const std::vector<const Backend*>& all_backends() {
  static const std::vector<std::unique_ptr<Backend>> owned = [] {
    std::vector<std::unique_ptr<Backend>> v;
    v.push_back(native::make_backend());
#ifdef STOCHOS_HAVE_TORCH
    v.push_back(libtorch::make_backend());
#endif
    return v;
  }();
  static const std::vector<const Backend*> view = [] {
    std::vector<const Backend*> v;
    for (const auto& b : owned) v.push_back(b.get());
    return v;
  }();
  return view;
}

const Backend& get_backend(std::string_view name) {
  std::string names;
  for (const Backend* b : all_backends()) {
    if (b->name() == name) return *b;
    names += (names.empty() ? "" : ", ") + b->name();
  }
  throw InputError("unknown backend '" + std::string(name) + "'; available backends: " + names);
}

}  // namespace stochos::backends
