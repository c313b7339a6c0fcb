#include "backends/plugin.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

// Note [engine modules]
// A module leaves every Stochos symbol it uses (graph::op_name, ...) undefined; the dynamic
// loader binds them to the program that opens it, which exports its symbols for that
// (CMAKE_ENABLE_EXPORTS in the top CMakeLists.txt). So there is one copy of the graph library
// and its type information in the process, and an InputError thrown inside the engine is
// caught by the CLI like any other. RTLD_NOW makes a missing symbol an error at load time, with
// the loader's message, rather than a crash at the first call. Modules stay loaded until exit:
// the engines they create live in the registry's static storage.

namespace stochos::backends {
namespace {

#ifndef STOCHOS_ENGINE_BUILD_DIR
#define STOCHOS_ENGINE_BUILD_DIR ""
#endif

std::vector<std::filesystem::path> search_dirs() {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("STOCHOS_ENGINE_PATH")) {
    std::string_view rest = env;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const auto part = rest.substr(0, colon);
      if (!part.empty()) dirs.emplace_back(part);
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(self.parent_path() / "engines");
    dirs.push_back(self.parent_path().parent_path() / "engines");
  }
  if (std::string_view(STOCHOS_ENGINE_BUILD_DIR).size() > 0)
    dirs.emplace_back(STOCHOS_ENGINE_BUILD_DIR);
  return dirs;
}

// The loader's message on one line.
std::string loader_error() {
  const char* e = dlerror();
  std::string s = e ? e : "unknown error";
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

std::unique_ptr<Backend> load_engine_module(const std::string& name, std::string& problem) {
  const std::string file = "stochos-" + name + ".so";
  std::string looked;
  for (const auto& dir : search_dirs()) {
    const auto path = dir / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      looked += (looked.empty() ? "" : ", ") + dir.string();
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      problem = "cannot load " + path.string() + ": " + loader_error();
      return nullptr;
    }
    void* entry = dlsym(handle, engine_factory_symbol);
    if (!entry) {
      problem = path.string() + " is not a Stochos engine (no " + engine_factory_symbol + ")";
      return nullptr;
    }
    // POSIX guarantees a data pointer from dlsym converts to the function it names.
    auto* create = reinterpret_cast<EngineFactory*>(entry);
    try {
      return std::unique_ptr<Backend>(create());
    } catch (const std::exception& e) {
      problem = path.string() + " failed to start: " + e.what();
      return nullptr;
    }
  }
  problem = file + " not found (looked in " + looked + "; set STOCHOS_ENGINE_PATH)";
  return nullptr;
}

}  // namespace stochos::backends
