#include "cli/model_file.hpp"

#include <filesystem>

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

}  // namespace stochos::cli
