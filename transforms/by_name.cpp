// Transforms chosen by name (PyMC's transform=, the language's transform=): the one list of the
// names a user may write.
#include <string>
#include <vector>

#include "stochos/error.hpp"
#include "stochos/nearest.hpp"
#include "transforms/transform.hpp"

namespace stochos::transforms {

const std::vector<std::string>& names() {
  static const std::vector<std::string> all = {
      "log",     "logodds",       "interval",    "simplex",
      "ordered", "cholesky_corr", "corr_packed", "cholesky-cov-packed",
      "none"};
  return all;
}

std::unique_ptr<Transform> by_name(const std::string& name, const std::optional<Tensor>& lower,
                                   const std::optional<Tensor>& upper) {
  if (name == "none") return nullptr;
  if (name == "log") return log_transform();
  if (name == "logodds") return logodds_transform();
  if (name == "simplex") return simplex_transform();
  if (name == "ordered") return ordered_transform();
  if (name == "cholesky_corr") return cholesky_corr_transform();
  if (name == "corr_packed") return corr_packed_transform();
  if (name == "cholesky-cov-packed") return cholesky_cov_packed_transform();
  if (name == "interval") {
    if (!lower || !upper)
      throw InputError("transform=interval needs a distribution with lower and upper");
    return interval_transform(*lower, *upper);
  }
  std::string all;
  for (const auto& n : names()) all += (all.empty() ? "" : ", ") + n;
  throw InputError("unknown transform '" + name + "'" + did_you_mean(name, names()) +
                   "; transforms: " + all);
}

}  // namespace stochos::transforms
