// stochos._core: the compiled half of the Python package.
#include "python/src/bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "Stochos's engine, for the Python package (import stochos)";
  m.attr("__version__") = STOCHOS_VERSION;
  stochos::python::bind_errors(m);
  stochos::python::bind_tensor(m);
  stochos::python::bind_model(m);
  stochos::python::bind_inference(m);
  stochos::python::bind_diagnostics(m);
  stochos::python::bind_scan(m);
}
