// The compiled module stochos._core (python/stochos): what the pure-Python layer of PyMC's API
// calls. Each bind_*.cpp adds one part; this header holds what they share.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "model/model.hpp"

namespace stochos::python {

namespace py = pybind11;

// One model, shared by every tensor made in it: a tensor keeps its model's graph alive.
struct ModelHandle {
  std::unique_ptr<model::Model> model;
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

// A number, a NumPy array (or anything np.asarray takes) or a tensor of `m`, as a tensor of m's
// graph: floats in the model's float type, integers as int64, booleans as bool. A tensor of
// another model is a ValueError.
graph::Tensor to_tensor(const ModelPtr& m, py::handle v);
// The array's values as float64, row-major, and its shape.
std::pair<std::vector<double>, graph::Shape> array_values(py::handle v);
// The model of the first tensor among `vs`, or null.
ModelPtr owner_of(const std::vector<py::handle>& vs);
PyTensor wrap(const ModelPtr& m, graph::Tensor t);

}  // namespace stochos::python
