// The effective engine settings, the Keras way (SPEC.md §1.4): highest first, the command-line
// flag or API argument, the environment (STOCHOS_BACKEND, STOCHOS_FLOATX, STOCHOS_DEVICE), the
// file $STOCHOS_HOME/stochos.json (default ~/.stochos/stochos.json), the built-in defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "backends/backend.hpp"

namespace stochos::backends {

// One setting and where it came from: "flag", "env STOCHOS_BACKEND", "file" or "default".
struct Setting {
  std::string value;
  std::string source;
};

struct Config {
  Setting backend;      // a registered engine's name
  Setting floatx;       // "float64" or "float32"
  Setting device;       // one of the engine's devices ("cpu", "cuda:0")
  std::string file;     // the config file consulted (it may not exist); empty when there is none
  bool wrote_defaults;  // true when this call created the file with the defaults
};

// Values given explicitly, by a flag or an API argument; they win over everything else.
struct ConfigOverrides {
  std::optional<std::string> backend, floatx, device;
};

// Reads one environment variable; nothing when it is unset.
using EnvReader = std::function<std::optional<std::string>(const std::string&)>;
EnvReader process_env();

// Resolves every setting. The first use writes the file with the defaults where its folder can
// be created and written; a file that exists is never changed. An invalid file, an unknown key,
// a bad value or an unknown backend is an InputError that names its source and lists the valid
// choices.
Config load_config(const ConfigOverrides& flags = {}, const EnvReader& env = process_env());

// The dtype of a floatx value ("float64" -> f64).
graph::DType floatx_dtype(const std::string& floatx);

// The engine and compile options the settings choose.
const Backend& configured_backend(const Config& c);
CompileOptions configured_options(const Config& c);

}  // namespace stochos::backends
