#include "case.hpp"

#include <algorithm>

namespace stochos::conformance {

Shape broadcast(const Shape& a, const Shape& b) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r, 1);
  for (std::size_t k = 0; k < r; ++k) {
    const std::int64_t da = k < r - a.size() ? 1 : a[k - (r - a.size())];
    const std::int64_t db = k < r - b.size() ? 1 : b[k - (r - b.size())];
    out[k] = da == 1 ? db : da;
  }
  return out;
}

std::int64_t broadcast_index(std::int64_t flat, const Shape& out, const Shape& in) {
  std::int64_t idx = 0, stride = 1;
  for (std::size_t k = out.size(); k-- > 0;) {
    const std::int64_t coord = flat % out[k];
    flat /= out[k];
    const std::size_t off = out.size() - in.size();
    if (k >= off) {
      const std::int64_t d = in[k - off];
      if (d != 1) idx += coord * stride;
      stride *= d;
    }
  }
  return idx;
}

Expected map1(const Values& x, const Shape& s, const std::function<double(double)>& f) {
  Expected e{{}, s};
  for (double v : x) e.values.push_back(f(v));
  return e;
}

Expected map2(const Values& a, const Shape& sa, const Values& b, const Shape& sb,
              const std::function<double(double, double)>& f) {
  Expected e{{}, broadcast(sa, sb)};
  const std::int64_t n = graph::numel(e.shape);
  for (std::int64_t i = 0; i < n; ++i)
    e.values.push_back(f(a[static_cast<std::size_t>(broadcast_index(i, e.shape, sa))],
                         b[static_cast<std::size_t>(broadcast_index(i, e.shape, sb))]));
  return e;
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> all = [] {
    std::vector<Case> v;
    for (auto family : {elementwise_cases, reduction_cases, shape_cases, linalg_cases,
                        extreme_cases, empty_cases, hessian_cases, scan_cases}) {
      auto c = family();
      v.insert(v.end(), c.begin(), c.end());
    }
    return v;
  }();
  return all;
}

Case make_case(std::string name, std::vector<std::string> ops, std::vector<Input> in,
               std::function<Tensor(const std::vector<Tensor>&)> build,
               std::function<Expected(const std::vector<Values>&)> reference) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  c.inputs = std::move(in);
  c.build = std::move(build);
  c.reference = std::move(reference);
  return c;
}

}  // namespace stochos::conformance
