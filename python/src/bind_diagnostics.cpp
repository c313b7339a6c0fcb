// Diagnostics for stochos.summary: the same code as the CLI's summary table (ArviZ's columns).
#include "diagnostics/summary.hpp"
#include "python/src/bindings.hpp"
#include "stochos/error.hpp"

namespace stochos::python {

void bind_diagnostics(py::module_& m) {
  // names[j] and columns[j], an array (chains, draws): one row per column, ArviZ's az.summary.
  m.def(
      "summarize",
      [](const std::vector<std::string>& names,
         const std::vector<py::array_t<double, py::array::c_style | py::array::forcecast>>& columns,
         double hdi_prob) {
        std::vector<diagnostics::Chains> cols;
        for (const auto& a : columns) {
          if (a.ndim() != 2) throw InputError("summarize: each column is (chains, draws)");
          diagnostics::Chains c(static_cast<std::size_t>(a.shape(0)));
          const auto r = a.unchecked<2>();
          for (py::ssize_t i = 0; i < a.shape(0); ++i)
            for (py::ssize_t j = 0; j < a.shape(1); ++j)
              c[static_cast<std::size_t>(i)].push_back(r(i, j));
          cols.push_back(std::move(c));
        }
        py::list out;
        for (const auto& row : diagnostics::summarize(names, cols, hdi_prob))
          out.append(py::make_tuple(row.name, row.mean, row.sd, row.hdi_low, row.hdi_high,
                                    row.mcse_mean, row.mcse_sd, row.ess_bulk, row.ess_tail,
                                    row.r_hat));
        return out;
      });
}

}  // namespace stochos::python
