// The compiled module stochos._core (python/stochos): what the pure-Python layer of PyMC's API
// calls. Each bind_*.cpp adds one part; this header holds what they share.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "graph/scan.hpp"
#include "model/model.hpp"

namespace stochos::python {

namespace py = pybind11;

// One model, shared by every tensor made in it: a tensor keeps its model's graph alive. While
// stochos.scan traces its step function, the body's tensors have a handle of their own with no
// model (Note [python scan] in bind_scan.cpp): `body` is the ScanArgs of the body's graph, null
// once the trace is over, and `outer` the handle of the graph the scan is in.
struct ModelHandle {
  explicit ModelHandle(std::unique_ptr<model::Model> m = nullptr) : model(std::move(m)) {}

  std::unique_ptr<model::Model> model;
  const graph::ScanArgs* body = nullptr;
  std::shared_ptr<ModelHandle> outer;

  graph::Graph& graph() const;  // a ValueError for a body whose trace is over
  graph::DType floatx() const { return model ? model->floatx() : outer->floatx(); }
  int depth() const { return outer ? outer->depth() + 1 : 0; }
};
using ModelPtr = std::shared_ptr<ModelHandle>;

struct PyTensor {
  graph::Tensor t;
  ModelPtr owner;
};

// A distribution as PyMC's Normal.dist(...) gives it: its family and arguments, not yet in a model.
struct PyDist {
  distributions::Distribution d;
};

void bind_errors(py::module_& m);
void bind_tensor(py::module_& m);
void bind_model(py::module_& m);
void bind_inference(py::module_& m);
void bind_diagnostics(py::module_& m);
void bind_scan(py::module_& m);

// A number, a NumPy array (or anything np.asarray takes) or a tensor of `m`, as a tensor of m's
// graph: floats in the model's float type, integers as int64, booleans as bool. In a scan body, a
// tensor of a graph around it is captured; a tensor of another model is a ValueError.
graph::Tensor to_tensor(const ModelPtr& m, py::handle v);
// The array's values as float64, row-major, and its shape.
std::pair<std::vector<double>, graph::Shape> array_values(py::handle v);
// The innermost model (or scan body) of the tensors among `vs`, or null.
ModelPtr owner_of(const std::vector<py::handle>& vs);
PyTensor wrap(const ModelPtr& m, graph::Tensor t);

}  // namespace stochos::python
