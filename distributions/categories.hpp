// The pieces shared by the families over K categories (Categorical, OrderedLogistic).
//
// Note [category axis]: their parameters carry the categories on the last axis (as
// NormalMixture's components), so the value's shape is the parameters' without it, and the log
// density picks each value's category by comparing it with 0..K-1 along that axis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "distributions/distribution.hpp"

namespace stochos::distributions {

// The index of t's last axis.
std::int64_t last_axis(const Tensor& t);
// 0, 1, ..., k - 1 as a constant like x.
Tensor categories(const Tensor& x, std::int64_t k);
// The value's shape: the broadcast of the parameters' shapes without their category axis and of
// `without` (a parameter that has none, as OrderedLogistic's eta); InputError naming the family
// when a parameter has no axis or the shapes do not broadcast.
Shape value_shape(const std::string& family, const std::vector<Shape>& with_axis,
                  const Shape& without = {});
// For values x and per-category terms v (categories on the last axis): v at each x's category,
// `fill` at the others (where a caller's log can take them without a NaN in its gradient).
Tensor at_category(const Tensor& x, const Tensor& v, double fill);
// The sum over the last axis.
Tensor sum_last(const Tensor& t);
// x is one of the categories 0..k-1.
Tensor in_categories(const Tensor& x, std::int64_t k);
// The first category where v is largest (PyMC's mode), along the last axis.
Tensor first_argmax(const Tensor& v);
// The category whose cumulative probability first exceeds a uniform draw.
double draw_category(Rng& rng, const std::vector<double>& p);

}  // namespace stochos::distributions
