#include "model/log_density.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/config.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

const VarSlot& Layout::find(const std::string& name) const {
  for (const VarSlot& v : vars)
    if (v.name == name || v.value_name == name) return v;
  throw InputError("no free variable '" + name + "'");
}

Engine engine_for(const CompileOptions& o) {
  backends::ConfigOverrides flags;
  flags.backend = o.backend;
  flags.device = o.device;
  const backends::Config config = backends::load_config(flags);
  Engine e{&backends::configured_backend(config), backends::configured_options(config)};
  e.options.optimize = o.optimize;
  return e;
}

std::vector<std::uint64_t> typed_buffer(graph::DType dtype, const std::vector<double>& values) {
  std::vector<std::uint64_t> buf(values.size() + 1, 0);
  void* p = buf.data();
  for (std::size_t i = 0; i < values.size(); ++i) switch (dtype) {
      case graph::DType::f64:
        static_cast<double*>(p)[i] = values[i];
        break;
      case graph::DType::f32:
        static_cast<float*>(p)[i] = static_cast<float>(values[i]);
        break;
      case graph::DType::i64:
        static_cast<std::int64_t*>(p)[i] = static_cast<std::int64_t>(values[i]);
        break;
      case graph::DType::boolean:
        static_cast<std::uint8_t*>(p)[i] = values[i] != 0.0 ? 1 : 0;
        break;
    }
  return buf;
}

std::unique_ptr<DensityWorkspace> LogDensity::make_workspace() const {
  auto ws = std::make_unique<DensityWorkspace>();
  ws->engine = exe_->make_workspace();
  ws->in.assign(layout_.vars.size() + data_.size(), nullptr);
  for (std::size_t k = 0; k < data_.size(); ++k)
    ws->in[layout_.vars.size() + k] = data_[k].storage.data();
  ws->out.assign(1 + layout_.vars.size(), nullptr);
  if (floatx_ == graph::DType::f32) {
    ws->theta32.assign(static_cast<std::size_t>(layout_.dim), 0.0f);
    ws->grad32.assign(static_cast<std::size_t>(layout_.dim), 0.0f);
  }
  return ws;
}

double LogDensity::operator()(DensityWorkspace& ws, const double* theta, double* grad) const {
  // Each variable's input and gradient are views into the packed vectors: nothing is copied
  // (a float32 model reads and writes converted copies held by the workspace).
  if (floatx_ == graph::DType::f32) {
    for (std::size_t k = 0; k < ws.theta32.size(); ++k)
      ws.theta32[k] = static_cast<float>(theta[k]);
    float logp = 0.0f;
    ws.out[0] = &logp;
    for (std::size_t i = 0; i < layout_.vars.size(); ++i) {
      const auto off = static_cast<std::size_t>(layout_.vars[i].offset);
      ws.in[i] = ws.theta32.data() + off;
      ws.out[1 + i] = ws.grad32.data() + off;
    }
    exe_->run(*ws.engine, ws.in, ws.out);
    for (std::size_t k = 0; k < ws.grad32.size(); ++k) grad[k] = ws.grad32[k];
    return logp;
  }
  double logp = 0.0;
  ws.out[0] = &logp;
  for (std::size_t i = 0; i < layout_.vars.size(); ++i) {
    ws.in[i] = theta + layout_.vars[i].offset;
    ws.out[1 + i] = grad + layout_.vars[i].offset;
  }
  exe_->run(*ws.engine, ws.in, ws.out);
  return logp;
}

void LogDensity::set_data(const std::string& name, const std::vector<double>& values) {
  for (DataBuffer& d : data_)
    if (d.name == name) {
      if (static_cast<std::int64_t>(values.size()) != d.size)
        throw InputError("data '" + name + "' has " + std::to_string(d.size) + " values; got " +
                         std::to_string(values.size()) + " (a new shape needs a new model)");
      refuse_missing(name, values);
      const auto buf = typed_buffer(d.dtype, values);
      std::memcpy(d.storage.data(), buf.data(), buf.size() * sizeof(std::uint64_t));
      return;
    }
  throw InputError("no data container '" + name + "'");
}

void refuse_missing(const std::string& name, const std::vector<double>& values) {
  const auto nan =
      std::find_if(values.begin(), values.end(), [](double x) { return std::isnan(x); });
  if (nan != values.end())
    throw InputError("data '" + name + "': element " + std::to_string(nan - values.begin()) +
                     " is NaN; only the data of an observed variable may have missing entries");
}

}  // namespace stochos::model
