#include "support/evaluate.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "backends/compile.hpp"
#include "backends/registry.hpp"

namespace stochos::testing {
namespace {

std::vector<unsigned char> to_bytes(const Values& v, graph::DType d) {
  std::vector<unsigned char> out(v.size() * backends::element_size(d) + 1);
  for (std::size_t i = 0; i < v.size(); ++i) {
    switch (d) {
      case graph::DType::f64:
        reinterpret_cast<double*>(out.data())[i] = v[i];
        break;
      case graph::DType::f32:
        reinterpret_cast<float*>(out.data())[i] = static_cast<float>(v[i]);
        break;
      case graph::DType::i64:
        reinterpret_cast<std::int64_t*>(out.data())[i] = static_cast<std::int64_t>(v[i]);
        break;
      case graph::DType::boolean:
        out[i] = v[i] != 0.0 ? 1 : 0;
        break;
    }
  }
  return out;
}

Values from_bytes(const std::vector<unsigned char>& b, graph::DType d, std::size_t n) {
  Values v(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (d) {
      case graph::DType::f64:
        v[i] = reinterpret_cast<const double*>(b.data())[i];
        break;
      case graph::DType::f32:
        v[i] = reinterpret_cast<const float*>(b.data())[i];
        break;
      case graph::DType::i64:
        v[i] = static_cast<double>(reinterpret_cast<const std::int64_t*>(b.data())[i]);
        break;
      case graph::DType::boolean:
        v[i] = b[i];
        break;
    }
  }
  return v;
}

}  // namespace

std::vector<Values> evaluate(const backends::Backend& backend,
                             const std::vector<graph::Tensor>& inputs,
                             const std::vector<Values>& values,
                             const std::vector<graph::Tensor>& outputs, bool optimize) {
  const graph::Graph& g = outputs.at(0).graph();
  std::vector<graph::NodeId> in_ids, out_ids;
  for (const auto& t : inputs) in_ids.push_back(t.id());
  for (const auto& t : outputs) out_ids.push_back(t.id());
  backends::CompileOptions opts;
  opts.optimize = optimize;
  auto exe = backends::compile(backend, g, in_ids, out_ids, opts);
  std::vector<std::vector<unsigned char>> in_bytes, out_bytes;
  std::vector<const void*> in_ptrs;
  std::vector<void*> out_ptrs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    in_bytes.push_back(to_bytes(values.at(i), inputs[i].dtype()));
    in_ptrs.push_back(in_bytes.back().data());
  }
  for (const auto& t : outputs) {
    out_bytes.emplace_back(static_cast<std::size_t>(t.size()) * backends::element_size(t.dtype()) +
                           1);
  }
  for (auto& b : out_bytes) out_ptrs.push_back(b.data());
  auto ws = exe->make_workspace();
  exe->run(*ws, in_ptrs, out_ptrs);
  std::vector<Values> result;
  for (std::size_t j = 0; j < outputs.size(); ++j)
    result.push_back(
        from_bytes(out_bytes[j], outputs[j].dtype(), static_cast<std::size_t>(outputs[j].size())));
  return result;
}

std::string test_backend_name() {
  const char* env = std::getenv("STOCHOS_TEST_BACKEND");
  return env && *env ? env : "native";
}

const backends::Backend& test_backend() {
  return backends::get_backend(test_backend_name());
}

}  // namespace stochos::testing
