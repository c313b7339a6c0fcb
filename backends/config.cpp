#include "backends/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "backends/registry.hpp"
#include "stochos/error.hpp"

namespace stochos::backends {

namespace fs = std::filesystem;

namespace {

struct Key {
  const char* name;  // in the file and the report
  const char* env;   // its environment variable
  const char* fallback;
};
constexpr std::array<Key, 3> kKeys = {{{"backend", "STOCHOS_BACKEND", "native"},
                                       {"floatx", "STOCHOS_FLOATX", "float64"},
                                       {"device", "STOCHOS_DEVICE", "cpu"}}};

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

[[noreturn]] void bad(const std::string& what, const std::string& where, const std::string& why,
                      const std::vector<std::string>& valid) {
  throw InputError("config: " + what + " from " + where + " " + why + " (valid: " + join(valid) +
                   ")");
}

// Checks what can be checked of a value wherever it comes from; the device's availability
// depends on the backend and is checked once the backend is known.
void check_value(const std::string& key, const std::string& value, const std::string& where) {
  const std::string shown = "'" + value + "'";
  if (key == "backend") {
    const auto names = backend_names();
    if (std::find(names.begin(), names.end(), value) == names.end())
      bad("backend " + shown, where, "is not a backend this build has", names);
  } else if (key == "floatx") {
    if (value != "float64" && value != "float32")
      bad("floatx " + shown, where, "is not a float type", {"float64", "float32"});
  } else {
    const bool cuda = value.rfind("cuda:", 0) == 0 && value.size() > 5 &&
                      value.find_first_not_of("0123456789", 5) == std::string::npos;
    if (value != "cpu" && !cuda)
      bad("device " + shown, where, "is not a device", {"cpu", "cuda:N"});
  }
}

// The folder of stochos.json: $STOCHOS_HOME, else ~/.stochos; nothing without either.
std::optional<fs::path> config_dir(const EnvReader& env) {
  if (auto home = env("STOCHOS_HOME")) {
    if (home->empty())
      throw InputError("config: env STOCHOS_HOME is empty (set it to a folder, or unset it)");
    return fs::path(*home);
  }
  if (auto home = env("HOME"); home && !home->empty()) return fs::path(*home) / ".stochos";
  return std::nullopt;
}

std::string defaults_text() {
  nlohmann::ordered_json j;
  for (const Key& k : kKeys) j[k.name] = k.fallback;
  return j.dump(2) + "\n";
}

// Creates the file with the defaults when it does not exist and the folder allows; never
// replaces a file (the defaults are written aside, then hard-linked into place, which fails
// when a file is already there).
bool write_defaults(const fs::path& file) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return false;
  const fs::path tmp = file.parent_path() / (".stochos.json." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp);
    if (!out) return false;
    out << defaults_text();
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::create_hard_link(tmp, file, ec);
  const bool wrote = !ec;
  fs::remove(tmp, ec);
  return wrote;
}

// The file's settings, each checked; an empty object when the file does not exist.
nlohmann::json read_file(const fs::path& file) {
  const std::string where = "config file " + file.string();
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (!fs::exists(status)) return nlohmann::json::object();
  if (!fs::is_regular_file(status)) throw InputError(where + ": not a regular file");
  std::ifstream in(file);
  if (!in) throw InputError(where + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(where + ": invalid JSON (" + e.what() + ")");
  }
  std::vector<std::string> keys;
  for (const Key& k : kKeys) keys.emplace_back(k.name);
  if (!j.is_object()) throw InputError(where + ": expected a JSON object with keys " + join(keys));
  for (const auto& [name, value] : j.items()) {
    if (std::find(keys.begin(), keys.end(), name) == keys.end())
      bad("key '" + name + "'", where, "is not a setting", keys);
    if (!value.is_string())
      throw InputError("config: " + name + " from " + where + " must be a string, not " +
                       value.dump());
    check_value(name, value.get<std::string>(), where);
  }
  return j;
}

}  // namespace

EnvReader process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

Config load_config(const ConfigOverrides& flags, const EnvReader& env) {
  Config c;
  c.wrote_defaults = false;
  nlohmann::json file = nlohmann::json::object();
  if (const auto dir = config_dir(env)) {
    const fs::path path = *dir / "stochos.json";
    c.file = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec)) c.wrote_defaults = write_defaults(path);
    file = read_file(path);
  }

  const std::array<const std::optional<std::string>*, 3> flag = {&flags.backend, &flags.floatx,
                                                                 &flags.device};
  const std::array<Setting*, 3> out = {&c.backend, &c.floatx, &c.device};
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    const Key& k = kKeys[i];
    Setting s{k.fallback, "default"};
    if (file.contains(k.name)) s = {file[k.name].get<std::string>(), "file"};
    if (auto v = env(k.env)) {
      const std::string where = std::string("env ") + k.env;
      if (v->empty()) throw InputError("config: " + where + " is empty (set a value, or unset it)");
      check_value(k.name, *v, where);
      s = {*v, where};
    }
    if (*flag[i]) {
      check_value(k.name, **flag[i], "flag");
      s = {**flag[i], "flag"};
    }
    *out[i] = s;
  }

  // What the chosen engine offers.
  const Backend& b = get_backend(c.backend.value);
  const std::string where_device =
      c.device.source == "file" ? "config file " + c.file : c.device.source;
  const auto devices = b.devices();
  if (std::find(devices.begin(), devices.end(), c.device.value) == devices.end())
    bad("device '" + c.device.value + "'", where_device, "is not available on backend " + b.name(),
        devices);
  const auto dtypes = b.dtypes();
  if (std::find(dtypes.begin(), dtypes.end(), floatx_dtype(c.floatx.value)) == dtypes.end())
    throw InputError("config: backend " + b.name() + " has no " + c.floatx.value);
  return c;
}

graph::DType floatx_dtype(const std::string& floatx) {
  if (floatx == "float64") return graph::DType::f64;
  if (floatx == "float32") return graph::DType::f32;
  throw InputError("config: floatx '" + floatx + "' is not a float type (valid: float64, float32)");
}

const Backend& configured_backend(const Config& c) {
  return get_backend(c.backend.value);
}

CompileOptions configured_options(const Config& c) {
  CompileOptions o;
  o.device = c.device.value;
  return o;
}

}  // namespace stochos::backends
