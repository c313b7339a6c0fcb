#include "cli/model_file.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "backends/config.hpp"
#include "io/data.hpp"
#include "lang/lang.hpp"

namespace stochos::cli {

std::unique_ptr<model::Model> load_model(const std::string& model_path,
                                         const std::string& data_path, graph::DType floatx) {
  const lang::Program program = lang::parse_file(model_path);
  const io::DataSet data = data_path.empty() ? io::DataSet{} : io::load_data(data_path);
  return lang::build(program, data, floatx);
}

std::string model_name(const std::string& model_path) {
  return std::filesystem::path(model_path).stem().string();
}

void add_model_args(CLI::App& sub, ModelArgs& a) {
  sub.add_option("model", a.model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub.add_option("--data", a.data, "Data JSON (CmdStan format)")->check(CLI::ExistingFile);
  sub.add_option("--backend", a.backend, "Engine (see `stochos backends`; default from config)");
  sub.add_option("--floatx", a.floatx, "float64 or float32 (default from config)");
}

ConfiguredModel load_configured_model(const ModelArgs& a) {
  backends::ConfigOverrides flags;
  flags.backend = a.backend;
  flags.floatx = a.floatx;
  const backends::Config config = backends::load_config(flags);
  return {load_model(a.model, a.data, backends::floatx_dtype(config.floatx.value)),
          config.backend.value};
}

}  // namespace stochos::cli
