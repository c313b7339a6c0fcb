#include "backends/registry.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "backends/native/native_backend.hpp"
#include "backends/plugin.hpp"
#include "stochos/error.hpp"

// The engines built as modules, a ','-separated list from CMake (backends/CMakeLists.txt).
#ifndef STOCHOS_ENGINE_MODULES
#define STOCHOS_ENGINE_MODULES ""
#endif

namespace stochos::backends {
namespace {

std::vector<std::string> module_names() {
  std::vector<std::string> names;
  std::string_view rest = STOCHOS_ENGINE_MODULES;
  while (!rest.empty()) {
    const auto semi = rest.find(',');
    if (semi != 0) names.emplace_back(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
  }
  return names;
}

struct Slot {
  bool tried = false;
  std::unique_ptr<Backend> engine;
  std::string problem;
};

// Built-in engines are made at once; a module engine's slot is filled on first use, once.
class Registry {
 public:
  Registry() {
    native_ = native::make_backend();
    for (const auto& name : module_names()) modules_[name];
  }

  const Backend* find(std::string_view name, std::string* problem) {
    if (name == native_->name()) return native_.get();
    const std::lock_guard lock(mutex_);
    const auto it = modules_.find(std::string(name));
    if (it == modules_.end()) return nullptr;
    Slot& s = it->second;
    if (!s.tried) {
      s.tried = true;
      s.engine = load_engine_module(it->first, s.problem);
    }
    if (problem) *problem = s.problem;
    return s.engine.get();
  }

  std::vector<std::string> names() const {
    std::vector<std::string> v{native_->name()};
    for (const auto& name : module_names()) v.push_back(name);
    return v;
  }

 private:
  std::unique_ptr<Backend> native_;
  std::mutex mutex_;
  std::map<std::string, Slot, std::less<>> modules_;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

std::vector<std::string> backend_names() {
  return registry().names();
}

std::vector<EngineStatus> engine_status() {
  std::vector<EngineStatus> rows;
  for (const auto& name : backend_names()) {
    EngineStatus row{name, nullptr, ""};
    row.backend = registry().find(name, &row.problem);
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::vector<const Backend*>& all_backends() {
  static const std::vector<const Backend*> available = [] {
    std::vector<const Backend*> v;
    for (const auto& row : engine_status())
      if (row.backend) v.push_back(row.backend);
    return v;
  }();
  return available;
}

const Backend& get_backend(std::string_view name) {
  std::string problem;
  if (const Backend* b = registry().find(name, &problem)) return *b;
  std::string names;
  for (const auto& n : backend_names()) {
    if (n == name) throw RuntimeError("backend '" + n + "' is unavailable: " + problem);
    names += (names.empty() ? "" : ", ") + n;
  }
  throw InputError("unknown backend '" + std::string(name) + "'; available backends: " + names);
}

}  // namespace stochos::backends
