// Loading a .stoch model with its data, for the subcommands that take MODEL [--data FILE].
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "model/model.hpp"

namespace CLI {
class App;
}

namespace stochos::cli {

// What every command that fits a model takes: MODEL, --data, --backend, --floatx.
struct ModelArgs {
  std::string model, data;
  std::optional<std::string> backend, floatx;
};
void add_model_args(CLI::App& sub, ModelArgs& a);

// The model built with the configured float type (flags over environment over file, SPEC.md
// §1.4), and the configured engine's name.
struct ConfiguredModel {
  std::unique_ptr<model::Model> model;
  std::string backend;
};
ConfiguredModel load_configured_model(const ModelArgs& a);

// Parses the model and builds it with the data (none when data_path is empty). Throws
// InputError with the file, line and column of the first problem.
std::unique_ptr<model::Model> load_model(const std::string& model_path,
                                         const std::string& data_path,
                                         graph::DType floatx = graph::DType::f64);

// The model's name: the file name without folder and extension.
std::string model_name(const std::string& model_path);

}  // namespace stochos::cli
