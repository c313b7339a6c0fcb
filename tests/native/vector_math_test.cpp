// The vectorised transcendental functions (backends/native/vector_math.hpp) against the scalar
// definitions constant folding uses (graph/elementwise.hpp, glibc's libm): within 2 ulp for the
// primitives (SLEEF's 1-ulp functions against glibc's), the stable forms for sigmoid, softplus
// and log sigmoid, and IEEE's special values; every length, so the padded tails are covered.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "backends/native/vector_math.hpp"
#include "graph/elementwise.hpp"

namespace stochos::backends::native {
namespace {

using graph::Op;
using vmath::Fn;

template <class T>
T scalar(Fn f, T x) {
  switch (f) {
    case Fn::exp:
      return graph::Elementwise<Op::exp>::apply<T>(x);
    case Fn::log:
      return graph::Elementwise<Op::log>::apply<T>(x);
    case Fn::log1p:
      return graph::Elementwise<Op::log1p>::apply<T>(x);
    case Fn::expm1:
      return graph::Elementwise<Op::expm1>::apply<T>(x);
    case Fn::sigmoid:
      return graph::Elementwise<Op::sigmoid>::apply<T>(x);
    case Fn::softplus:
      return graph::Elementwise<Op::softplus>::apply<T>(x);
    case Fn::log_sigmoid:
      return graph::Elementwise<Op::log_sigmoid>::apply<T>(x);
  }
  return T(0);
}

// Distance in units in the last place (0 for equal values, both NaN, or the same infinity).
template <class T>
double ulps(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e300;
  if (a == b) return 0;
  if (std::isinf(a) || std::isinf(b)) return 1e300;
  const T scale = std::max(std::abs(a), std::abs(b));
  const T ulp = std::nextafter(scale, std::numeric_limits<T>::infinity()) - scale;
  return std::abs(static_cast<double>(a) - static_cast<double>(b)) / static_cast<double>(ulp);
}

template <class T>
std::vector<T> points(Fn f, std::mt19937_64& rng) {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> v = {T(0),
                      -T(0),
                      T(1),
                      T(-1),
                      inf,
                      -inf,
                      nan,
                      std::numeric_limits<T>::min(),
                      std::numeric_limits<T>::denorm_min(),
                      T(1e-10),
                      T(-1e-10),
                      T(0.5),
                      T(-0.5),
                      T(2),
                      T(30),
                      T(-30)};
  const double hi = std::is_same_v<T, double> ? 700 : 85;  // exp's range before overflow
  std::uniform_real_distribution<double> wide(-hi, hi), unit(0, 1);
  for (int i = 0; i < 2000; ++i) {
    switch (f) {
      case Fn::log:
        v.push_back(static_cast<T>(std::exp(wide(rng))));
        break;
      case Fn::log1p:
        v.push_back(static_cast<T>(unit(rng) * 4 - 1));
        v.push_back(static_cast<T>(std::exp(wide(rng))));
        break;
      default:
        v.push_back(static_cast<T>(wide(rng)));
        v.push_back(static_cast<T>(unit(rng) * 4 - 2));
    }
  }
  return v;
}

template <class T>
void check(Fn f, double max_ulps) {
  std::mt19937_64 rng(11);
  const std::vector<T> x = points<T>(f, rng);
  // Every length from 1 to 40 (tails of every width), then the whole array.
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{9},
                        std::size_t{17}, std::size_t{40}, x.size()}) {
    std::vector<T> y(n);
    vmath::apply(f, x.data(), y.data(), static_cast<std::int64_t>(n));
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_LE(ulps(y[i], scalar(f, x[i])), max_ulps)
          << "f=" << static_cast<int>(f) << " x=" << x[i] << " got " << y[i] << " want "
          << scalar(f, x[i]) << " (" << vmath::isa() << ")";
  }
  // In place.
  std::vector<T> y = x;
  vmath::apply(f, y.data(), y.data(), static_cast<std::int64_t>(y.size()));
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_LE(ulps(y[i], scalar(f, x[i])), max_ulps);
}

// Each instruction set this CPU runs (the widest again at the end, as the engine uses it).
template <class F>
void on_every_isa(F body) {
  const std::string widest = vmath::isa();
  for (const char* isa : {"sse2", "avx2", "avx512"}) {
    if (!vmath::use_isa(isa)) continue;
    SCOPED_TRACE(isa);
    body();
  }
  vmath::use_isa(widest);
}

TEST(VectorMath, PrimitivesAgreeWithLibmToTwoUlpDouble) {
  on_every_isa([] {
    for (Fn f : {Fn::exp, Fn::log, Fn::log1p, Fn::expm1}) check<double>(f, 2);
  });
}

TEST(VectorMath, PrimitivesAgreeWithLibmToTwoUlpFloat) {
  on_every_isa([] {
    for (Fn f : {Fn::exp, Fn::log, Fn::log1p, Fn::expm1}) check<float>(f, 2);
  });
}

// The composites add a division or an addition to one exp and one log1p: a few ulp.
TEST(VectorMath, SigmoidSoftplusLogSigmoidStayStable) {
  on_every_isa([] {
    for (Fn f : {Fn::sigmoid, Fn::softplus, Fn::log_sigmoid}) {
      check<double>(f, 4);
      check<float>(f, 4);
    }
  });
  // Far out, where the naive forms overflow or lose everything.
  const std::vector<double> x = {-1000, -40, 40, 1000};
  std::vector<double> y(x.size());
  vmath::apply(Fn::softplus, x.data(), y.data(), 4);
  EXPECT_EQ(y[3], 1000);
  EXPECT_NEAR(y[0], 0, 1e-300);
  EXPECT_DOUBLE_EQ(y[1], std::exp(-40.0));
  vmath::apply(Fn::log_sigmoid, x.data(), y.data(), 4);
  EXPECT_EQ(y[0], -1000);
  vmath::apply(Fn::sigmoid, x.data(), y.data(), 4);
  EXPECT_EQ(y[3], 1);
  EXPECT_DOUBLE_EQ(y[1], 1 / (1 + std::exp(40.0)));
}

TEST(VectorMath, NamesTheInstructionSetInUse) {
  const std::string isa = vmath::isa();
  EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "sse2" || isa == "scalar") << isa;
}

}  // namespace
}  // namespace stochos::backends::native
