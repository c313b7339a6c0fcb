// stochos.scan's engine half: graph::scan with a Python step function as its body.
//
// Note [python scan]
// ~~~~~~~~~~~~~~~~~~
// graph::scan traces its body by calling a ScanFn once with the body's input tensors, which live
// in the body's own Graph (Note [scan] in graph/scan.hpp). Here the ScanFn calls back into Python
// (stochos/loops.py), which calls the user's step function on TensorVariables standing for those
// inputs. So that every binding works on them unchanged, a body tensor is an ordinary PyTensor
// whose owner is a ModelHandle of its own: no model, `body` pointing at the ScanArgs and `outer`
// at the handle of the graph around the scan (the model, or an enclosing body for a scan in a
// scan). Constants made in the body go into the body's graph, and a tensor of a graph around it
// is captured (ScanArgs::capture, in to_tensor) rather than refused, so a step function may use
// model variables directly as a closure. The handle is closed when the trace returns, since the
// body's graph then moves into the ScanBody: a body tensor kept past that is a ValueError.
//
// The trace runs whenever the scan node is evaluated into a model, so a replayed model
// (Note [replayed models] in model.py) traces the step function again.
#include "python/src/bindings.hpp"

namespace stochos::python {

using graph::Tensor;

namespace {

std::vector<Tensor> tensors_of(const ModelPtr& m, const py::list& xs) {
  std::vector<Tensor> out;
  for (py::handle x : xs) out.push_back(to_tensor(m, x));
  return out;
}

py::list wrap_all(const ModelPtr& m, const std::vector<Tensor>& ts) {
  py::list out;
  for (const Tensor& t : ts) out.append(wrap(m, t));
  return out;
}

}  // namespace

void bind_scan(py::module_& m) {
  // step(body, carries, rows, constants) -> (new carries, per-step outputs), each a list of
  // tensors (or numbers) of the body; returns (stacked carries, stacked outputs) in `owner`.
  m.def("scan", [](const ModelPtr& owner, const py::function& step, const py::list& init,
                   const py::list& sequences, const py::list& constants,
                   std::optional<std::int64_t> length) {
    const std::vector<Tensor> i = tensors_of(owner, init), s = tensors_of(owner, sequences),
                              c = tensors_of(owner, constants);
    const graph::ScanFn fn = [&](const graph::ScanArgs& a) {
      auto body = std::make_shared<ModelHandle>();
      body->body = &a;
      body->outer = owner;
      struct Close {
        ModelHandle& h;
        ~Close() { h.body = nullptr; }
      } close{*body};
      const auto r = step(body, wrap_all(body, a.carries), wrap_all(body, a.sequences),
                          wrap_all(body, a.constants))
                         .cast<py::tuple>();
      return graph::ScanStep{tensors_of(body, r[0].cast<py::list>()),
                             tensors_of(body, r[1].cast<py::list>())};
    };
    const graph::ScanResult r = graph::scan(fn, i, s, c, length);
    return py::make_tuple(wrap_all(owner, r.carries), wrap_all(owner, r.outputs));
  });
}

}  // namespace stochos::python
