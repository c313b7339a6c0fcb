// Note [native scan]
// ~~~~~~~~~~~~~~~~~~
// A scan step holds its body compiled into a NativeExecutable of its own (ScanPlan::body); each
// workspace of the outer plan makes the body's workspace once, beside its own, and keeps the
// body's slot array in a slot of the outer one (Step::p[0]), so a call allocates nothing. Step t
// then only moves pointers: the body's carry slots point at row t-1 of the packed result (the
// initial carries at the first step), its sequence slots at row t of each sequence, and the
// slots of the outputs its steps compute at their place in row t, so the body writes the result
// where it belongs and reads the carries where they were written: no copy at all. Outputs the
// body does not compute itself (a carry passed through, a constant, a reshape view, one node
// returned twice) are copied into the row after the step; an 8-byte one by a plain store.
// Per step that is a few pointer stores and the body's own steps (tens of nanoseconds for the
// scalar recurrences of GARCH or ARMA models).
#include <algorithm>
#include <cstring>

#include "backends/native/executable.hpp"
#include "backends/native/scan.hpp"
#include "graph/scan.hpp"

namespace stochos::backends::native {
namespace {

inline void copy_bytes(std::byte* dst, const void* src, std::size_t bytes) {
  if (bytes == sizeof(std::uint64_t))
    std::memcpy(dst, src, sizeof(std::uint64_t));  // a constant size: one load and store
  else
    std::memcpy(dst, src, bytes);
}

void run_scan(const Step& s, void** slots) {
  const ScanPlan& p = *s.scan;
  void** body = static_cast<void**>(slots[s.p[0]]);
  const std::size_t nc = p.carries.size(), ns = p.sequences.size();
  for (std::size_t c = 0; c < p.constants.size(); ++c)
    if (p.constants[c] != kUnused) body[p.constants[c]] = slots[s.in[nc + ns + c]];
  auto* out = static_cast<std::byte*>(slots[s.out]);
  const std::int64_t length = p.length;
  const std::ptrdiff_t back = p.reverse ? static_cast<std::ptrdiff_t>(p.row_bytes)
                                        : -static_cast<std::ptrdiff_t>(p.row_bytes);
  for (std::int64_t i = 0; i < length; ++i) {
    const std::int64_t t = p.reverse ? length - 1 - i : i;
    std::byte* row = out + static_cast<std::size_t>(t) * p.row_bytes;
    for (std::size_t k = 0; k < nc; ++k) {
      const ScanPlan::Carry& c = p.carries[k];
      if (c.slot == kUnused) continue;
      body[c.slot] = i == 0 ? slots[s.in[k]] : row + back + c.offset;
    }
    for (std::size_t j = 0; j < ns; ++j) {
      const ScanPlan::Sequence& q = p.sequences[j];
      if (q.slot == kUnused) continue;
      body[q.slot] =
          static_cast<std::byte*>(slots[s.in[nc + j]]) + static_cast<std::size_t>(t) * q.row_bytes;
    }
    for (const ScanPlan::Output& o : p.direct) body[o.slot] = row + o.offset;
    p.body->run_steps(body);
    for (const ScanPlan::Output& o : p.copied) copy_bytes(row + o.offset, body[o.slot], o.bytes);
  }
}

}  // namespace

void lower_scan(const graph::Graph& g, const graph::Node& n, Step& s) {
  const graph::ScanBody& b = *n.attrs.body;
  auto p = std::make_shared<ScanPlan>();
  p->body = std::make_unique<NativeExecutable>(b.graph, b.inputs(), b.outputs);
  p->length = n.attrs.ints[0];
  p->reverse = n.attrs.ints[1] != 0;
  const std::size_t elem = element_size(b.dtype());
  p->row_bytes = static_cast<std::size_t>(b.row_size()) * elem;
  for (std::size_t k = 0; k < b.carries; ++k)
    p->carries.push_back(
        {p->body->input_slot(k), static_cast<std::size_t>(b.row_offset(k)) * elem});
  for (std::size_t j = 0; j < b.sequences; ++j) {
    const graph::Node& seq = g.node(n.inputs[b.carries + j]);
    const graph::Shape row(seq.shape.begin() + 1, seq.shape.end());
    p->sequences.push_back({p->body->input_slot(b.carries + j),
                            static_cast<std::size_t>(graph::numel(row)) * element_size(seq.dtype)});
  }
  for (std::size_t c = 0; c < b.constants(); ++c)
    p->constants.push_back(p->body->input_slot(b.carries + b.sequences + c));
  std::vector<std::uint32_t> redirected;
  for (std::size_t j = 0; j < b.outputs.size(); ++j) {
    const ScanPlan::Output o{
        p->body->output_slot(j), static_cast<std::size_t>(b.row_offset(j)) * elem,
        static_cast<std::size_t>(graph::numel(b.graph.node(b.outputs[j]).shape)) * elem};
    const bool first = std::find(redirected.begin(), redirected.end(), o.slot) == redirected.end();
    if (p->body->computes(j) && first) {
      p->direct.push_back(o);
      redirected.push_back(o.slot);
    } else {
      p->copied.push_back(o);
    }
  }
  s.scan = std::move(p);
  s.fn = &run_scan;
}

}  // namespace stochos::backends::native
