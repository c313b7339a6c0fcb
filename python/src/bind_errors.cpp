// C++ errors in Python's terms (issue 15 item 6): an InputError (a bad model, data, argument or
// shape) is a ValueError with the CLI's one-line message, a run that failed a RuntimeError, and
// nothing escapes as an unknown C++ type.
#include <new>
#include <stdexcept>

#include "python/src/bindings.hpp"
#include "stochos/error.hpp"

namespace stochos::python {

void bind_errors(py::module_& m) {
  // Registered last, tried first: ours before pybind11's own translations.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const RuntimeError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "out of memory");
    } catch (const py::error_already_set&) {
      throw;  // a Python error raised inside a callback: pybind11 restores it
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, (std::string("internal error: ") + e.what()).c_str());
    }
  });
  m.def("_raise_input_error", [](const std::string& what) { throw InputError(what); });
  m.def("_raise_runtime_error", [](const std::string& what) { throw RuntimeError(what); });
}

}  // namespace stochos::python
