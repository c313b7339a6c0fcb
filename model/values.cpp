#include "model/values.hpp"

namespace stochos::model {

std::unique_ptr<ValueWorkspace> ValueFunction::make_workspace() const {
  auto ws = std::make_unique<ValueWorkspace>();
  ws->engine = exe_->make_workspace();
  ws->in.assign(layout_.vars.size() + data_.size(), nullptr);
  for (std::size_t k = 0; k < data_.size(); ++k) ws->in[layout_.vars.size() + k] = data_[k].data();
  ws->out.assign(vars_.size(), nullptr);
  ws->slots = std::make_unique<SlotInputs>(layout_, floatx_);
  return ws;
}

void ValueFunction::operator()(ValueWorkspace& ws, const double* theta, double* out) const {
  ws.slots->bind(layout_, theta, ws.in);
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
