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

bool Layout::has_discrete() const {
  return std::any_of(vars.begin(), vars.end(), [](const VarSlot& v) { return v.discrete; });
}

SlotInputs::SlotInputs(const Layout& layout, graph::DType floatx) : floatx_(floatx) {
  const auto n = static_cast<std::size_t>(layout.dim);
  if (floatx == graph::DType::f32) f32_.assign(n + 1, 0.0f);
  if (layout.has_discrete()) i64_.assign(n + 1, 0);
}

void SlotInputs::bind(const Layout& layout, const double* theta, std::vector<const void*>& in) {
  for (std::size_t i = 0; i < layout.vars.size(); ++i) {
    const VarSlot& v = layout.vars[i];
    const auto off = static_cast<std::size_t>(v.offset);
    const auto n = static_cast<std::size_t>(v.size);
    if (v.discrete) {
      // Rounded half away from zero: a value left at 2.9999999 still reads as 3. (Not llround, a
      // libm call each: this loop vectorises.)
      for (std::size_t k = 0; k < n; ++k) {
        const double x = theta[off + k];
        i64_[off + k] = static_cast<std::int64_t>(x + (x >= 0 ? 0.5 : -0.5));
      }
      in[i] = i64_.data() + off;
    } else if (floatx_ == graph::DType::f32) {
      for (std::size_t k = 0; k < n; ++k) f32_[off + k] = static_cast<float>(theta[off + k]);
      in[i] = f32_.data() + off;
    } else {
      in[i] = theta + off;
    }
  }
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
  ws->slots = std::make_unique<SlotInputs>(layout_, floatx_);
  ws->in.assign(layout_.vars.size() + data_.size(), nullptr);
  for (std::size_t k = 0; k < data_.size(); ++k)
    ws->in[layout_.vars.size() + k] = data_[k].storage.data();
  const auto continuous = std::count_if(layout_.vars.begin(), layout_.vars.end(),
                                        [](const VarSlot& v) { return !v.discrete; });
  ws->out.assign(1 + static_cast<std::size_t>(continuous), nullptr);
  if (floatx_ == graph::DType::f32) ws->grad32.assign(static_cast<std::size_t>(layout_.dim), 0.0f);
  return ws;
}

double LogDensity::operator()(DensityWorkspace& ws, const double* theta, double* grad) const {
  // Each continuous variable's input and gradient are views into the packed vectors: nothing is
  // copied (float32 and discrete slots go through converted copies held by the workspace). The
  // executable's gradient outputs are the continuous variables', in order.
  ws.slots->bind(layout_, theta, ws.in);
  const bool f32 = floatx_ == graph::DType::f32;
  double logp = 0.0;
  float logp32 = 0.0f;
  ws.out[0] = f32 ? static_cast<void*>(&logp32) : static_cast<void*>(&logp);
  std::size_t j = 1;
  for (const VarSlot& v : layout_.vars) {
    if (v.discrete) {
      std::fill(grad + v.offset, grad + v.offset + v.size, 0.0);
      continue;
    }
    ws.out[j++] =
        f32 ? static_cast<void*>(ws.grad32.data() + v.offset) : static_cast<void*>(grad + v.offset);
  }
  exe_->run(*ws.engine, ws.in, ws.out);
  if (f32) {
    for (const VarSlot& v : layout_.vars)
      if (!v.discrete)
        for (std::int64_t k = v.offset; k < v.offset + v.size; ++k) grad[k] = ws.grad32[k];
    logp = logp32;
  }
  if (reduce_) reduce_(logp, grad, layout_.dim);
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

void refuse_discrete(const Layout& layout, const std::string& method) {
  std::string names;
  for (const VarSlot& v : layout.vars)
    if (v.discrete) names += (names.empty() ? "'" : ", '") + v.name + "'";
  if (!names.empty())
    throw InputError(method + " needs continuous variables only; " + names +
                     " is discrete (sample the model, or marginalise it out)");
}

void refuse_missing(const std::string& name, const std::vector<double>& values) {
  const auto nan =
      std::find_if(values.begin(), values.end(), [](double x) { return std::isnan(x); });
  if (nan != values.end())
    throw InputError("data '" + name + "': element " + std::to_string(nan - values.begin()) +
                     " is NaN; only the data of an observed variable may have missing entries");
}

}  // namespace stochos::model
