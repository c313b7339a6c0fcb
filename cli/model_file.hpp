// Loading a .stoch model with its data, for the subcommands that take MODEL [--data FILE].
#pragma once

#include <memory>
#include <string>

#include "model/model.hpp"

namespace stochos::cli {

// Parses the model and builds it with the data (none when data_path is empty). Throws
// InputError with the file, line and column of the first problem.
std::unique_ptr<model::Model> load_model(const std::string& model_path,
                                         const std::string& data_path,
                                         graph::DType floatx = graph::DType::f64);

// The model's name: the file name without folder and extension.
std::string model_name(const std::string& model_path);

}  // namespace stochos::cli
