#include "cli/eight_schools.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>
#include <sstream>

#include <nlohmann/json.hpp>

#include "autodiff/grad.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

using graph::Tensor;
using nlohmann::json;

[[noreturn]] void data_error(std::string_view source, const std::string& what) {
  throw InputError("data file '" + std::string(source) + "': " + what);
}

std::vector<double> read_vector(const json& doc, const char* key, std::int64_t J,
                                std::string_view source) {
  const auto it = doc.find(key);
  if (it == doc.end()) data_error(source, std::string("missing key '") + key + "'");
  if (!it->is_array() || static_cast<std::int64_t>(it->size()) != J)
    data_error(source, std::string("'") + key + "' must be a list of J = " + std::to_string(J) +
                           " numbers");
  std::vector<double> v;
  v.reserve(it->size());
  for (const json& x : *it) {
    // nlohmann rejects 1e999 while parsing; this guards the density against any inf all the same.
    if (!x.is_number() || !std::isfinite(x.get<double>()))
      data_error(source, std::string("'") + key + "' must hold finite numbers, found " + x.dump());
    v.push_back(x.get<double>());
  }
  return v;
}

// log N(x | mean, sd), elementwise, with every constant.
Tensor normal_lpdf(const Tensor& x, const Tensor& mean, const Tensor& sd) {
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  return -0.5 * graph::square((x - mean) / sd) - graph::log(sd) - half_log_2pi;
}

}  // namespace

EightSchoolsData parse_eight_schools_data(std::string_view json_text, std::string_view source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    // parse_error, or out_of_range for a number like 1e999. Drop nlohmann's
    // "[json.exception.parse_error.101] " tag: it means nothing to a user.
    std::string msg = e.what();
    if (const auto close = msg.find("] "); msg.starts_with("[json.") && close != std::string::npos)
      msg.erase(0, close + 2);
    data_error(source, "invalid JSON: " + msg);
  }
  if (!doc.is_object()) data_error(source, "expected a JSON object of named values");

  EightSchoolsData d;
  const auto j = doc.find("J");
  if (j == doc.end()) data_error(source, "missing key 'J'");
  if (!j->is_number_integer() || j->get<std::int64_t>() < 1)
    data_error(source, "'J' must be a positive integer, found " + j->dump());
  d.J = j->get<std::int64_t>();
  d.y = read_vector(doc, "y", d.J, source);
  d.sigma = read_vector(doc, "sigma", d.J, source);
  for (std::size_t i = 0; i < d.sigma.size(); ++i) {
    if (!(d.sigma[i] > 0.0))
      data_error(source, "'sigma' must be positive (it is a standard deviation), found sigma[" +
                             std::to_string(i) + "] = " + json(d.sigma[i]).dump());
  }
  return d;
}

EightSchoolsData load_eight_schools_data(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read data file '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError("cannot read data file '" + path + "': " + std::strerror(errno));
  return parse_eight_schools_data(text.str(), path);
}

EightSchoolsDensity build_eight_schools(const EightSchoolsData& data) {
  EightSchoolsDensity m;
  m.graph = std::make_unique<graph::Graph>();
  graph::Graph& g = *m.graph;
  const std::int64_t J = data.J;

  m.theta = graph::input(g, "theta", graph::DType::f64, {J + 2});
  const Tensor mu = graph::index(m.theta, 0);
  const Tensor tau_log = graph::index(m.theta, 1);
  const Tensor theta_z = graph::slice(m.theta, 0, 2, std::nullopt);
  const Tensor tau = graph::exp(tau_log);

  const Tensor y = graph::constant(g, {J}, data.y);
  const Tensor sigma = graph::constant(g, {J}, data.sigma);
  const Tensor zero = graph::constant(g, 0.0);
  const Tensor one = graph::constant(g, 1.0);
  const Tensor five = graph::constant(g, 5.0);

  // HalfCauchy(beta) on tau > 0: log(2 / (pi beta)) - log1p((tau / beta)^2); the log transform
  // adds log|d tau / d tau_log__| = tau_log__.
  const double log_2_over_5pi = std::log(2.0 / (5.0 * std::numbers::pi));
  const Tensor lp_tau = log_2_over_5pi - graph::log1p(graph::square(tau / five)) + tau_log;

  const Tensor theta = mu + tau * theta_z;
  m.logp = normal_lpdf(mu, zero, five) + lp_tau + graph::sum(normal_lpdf(theta_z, zero, one)) +
           graph::sum(normal_lpdf(y, theta, sigma));
  m.grad = autodiff::grad(m.logp, {m.theta}).at(0);

  m.names = {"mu", "tau_log__"};
  for (std::int64_t i = 0; i < J; ++i) m.names.push_back("theta_z[" + std::to_string(i) + "]");
  return m;
}

}  // namespace stochos::cli
