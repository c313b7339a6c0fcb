#include "backends/native/strided.hpp"

#include "stochos/error.hpp"

namespace stochos::backends::native {

Strides broadcast_strides(const graph::Shape& out, const graph::Shape& in) {
  const std::size_t r = out.size();
  Strides s;
  s.strides.assign(r, 0);
  const graph::Shape st = graph::row_major_strides(in);
  const std::size_t lead = r - in.size();
  for (std::size_t k = 0; k < in.size(); ++k)
    if (in[k] != 1) s.strides[lead + k] = st[k];
  return s;
}

void pack_strided(std::vector<std::int64_t>& p, const graph::Shape& shape,
                  const std::vector<Strides>& views) {
  if (shape.size() > static_cast<std::size_t>(kMaxRank))
    throw InputError("native engine: rank " + std::to_string(shape.size()) +
                     " exceeds the maximum of " + std::to_string(kMaxRank));
  p.push_back(static_cast<std::int64_t>(shape.size()));
  p.insert(p.end(), shape.begin(), shape.end());
  for (const auto& v : views) {
    p.push_back(v.base);
    p.insert(p.end(), v.strides.begin(), v.strides.end());
  }
}

}  // namespace stochos::backends::native
