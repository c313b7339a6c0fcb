// Flat() and HalfFlat(): improper uniform densities (log p = 0) on the real line and on the
// positive reals, PyMC's stand-ins for Stan's unstated priors. They cannot be drawn from.
#include "distributions/common.hpp"

namespace stochos::distributions {

using namespace graph;

const Family& flat_family() {
  static const Family f{
      .name = "Flat",
      .resolve = [](const Bound&) { return Params{}; },
      .logp = [](const Tensor& x, const Params&) { return 0.0 * x; },
      .in_support = [](const Tensor& x, const Params&) { return finite(x); },
      .support_point = [](const Params& p) { return constant(p.graph(), 0.0, p.floatx()); },
  };
  return f;
}

const Family& half_flat_family() {
  static const Family f{
      .name = "HalfFlat",
      .resolve = [](const Bound&) { return Params{}; },
      .logp = [](const Tensor& x, const Params&) { return 0.0 * x; },
      .in_support = positive_support,
      .transform = log_default,
      .support_point = [](const Params& p) { return constant(p.graph(), 1.0, p.floatx()); },
  };
  return f;
}

Distribution Flat() {
  return Distribution(flat_family(), {});
}
Distribution HalfFlat() {
  return Distribution(half_flat_family(), {});
}

}  // namespace stochos::distributions
