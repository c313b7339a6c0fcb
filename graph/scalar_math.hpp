// Scalar definitions of the elementwise ops, shared by constant folding and the native engine's
// kernels so that both compute the same numbers. Each is stable where the math is finite.
#pragma once

#include <cmath>
#include <limits>

namespace stochos::graph::scalar {

template <class T>
inline T sign(T x) {
  return static_cast<T>((T(0) < x) - (x < T(0)));
}
template <class T>
inline T square(T x) {
  return x * x;
}

template <class T>
inline T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// log(1 + exp(x)) without overflow for large x or loss of precision for very negative x.
template <class T>
inline T softplus(T x) {
  return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

template <class T>
inline T log_sigmoid(T x) {
  return -softplus(-x);
}

// Out of line: they call glibc's reentrant lgamma_r and Boost.Math (scalar_math.cpp).
double lgamma(double x);
float lgamma(float x);
double digamma(double x);
float digamma(float x);
double trigamma(double x);
float trigamma(float x);
// log Phi(x), the log of the standard normal CDF, accurate far into the left tail.
double log_ndtr(double x);
float log_ndtr(float x);

}  // namespace stochos::graph::scalar
