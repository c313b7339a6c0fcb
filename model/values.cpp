#include "model/values.hpp"

namespace stochos::model {

std::unique_ptr<ValueWorkspace> ValueFunction::make_workspace() const {
  auto ws = std::make_unique<ValueWorkspace>();
  ws->engine = exe_->make_workspace();
  ws->in.assign(layout_.vars.size() + data_.size(), nullptr);
  for (std::size_t k = 0; k < data_.size(); ++k) ws->in[layout_.vars.size() + k] = data_[k].data();
  ws->out.assign(vars_.size(), nullptr);
  if (floatx_ == graph::DType::f32) ws->theta32.assign(static_cast<std::size_t>(layout_.dim), 0.0f);
  return ws;
}

void ValueFunction::operator()(ValueWorkspace& ws, const double* theta, double* out) const {
  if (floatx_ == graph::DType::f32)
    for (std::size_t k = 0; k < ws.theta32.size(); ++k)
      ws.theta32[k] = static_cast<float>(theta[k]);
  for (std::size_t i = 0; i < layout_.vars.size(); ++i) {
    const auto off = static_cast<std::size_t>(layout_.vars[i].offset);
    ws.in[i] = floatx_ == graph::DType::f32 ? static_cast<const void*>(ws.theta32.data() + off)
                                            : static_cast<const void*>(theta + off);
  }
  // The outputs are float64 (the graph casts them), each at its offset.
  for (std::size_t j = 0; j < vars_.size(); ++j) ws.out[j] = out + vars_[j].offset;
  exe_->run(*ws.engine, ws.in, ws.out);
}

std::vector<std::string> element_names(const std::vector<TracedVariable>& variables) {
  std::vector<std::string> names;
  for (const TracedVariable& v : variables) {
    const std::int64_t n = graph::numel(v.shape);
    if (v.shape.empty()) {
      names.push_back(v.name);
      continue;
    }
    std::vector<std::int64_t> idx(v.shape.size(), 0);
    for (std::int64_t k = 0; k < n; ++k) {
      std::string s = v.name + "[";
      for (std::size_t a = 0; a < idx.size(); ++a) s += (a ? ", " : "") + std::to_string(idx[a]);
      names.push_back(s + "]");
      for (std::size_t a = idx.size(); a-- > 0;) {
        if (++idx[a] < v.shape[a]) break;
        idx[a] = 0;
      }
    }
  }
  return names;
}

std::vector<std::string> ValueFunction::column_names() const {
  return element_names(vars_);
}

}  // namespace stochos::model
