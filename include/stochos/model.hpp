// The public C++ API (SPEC.md §1.2): build a model PyMC's way, compile its log density.
//
//   stochos::Model m;
//   auto mu  = m.rv("mu", stochos::Normal(0, 5));
//   auto tau = m.rv("tau", stochos::HalfCauchy(5));
//   auto z   = m.rv("theta_z", stochos::Normal(0, 1), {.shape = stochos::Shape{8}});
//   m.observe("y", stochos::Normal(mu + tau * z, sigma), y, {8});
//   // PyMC's shape= beside observed= is accepted where it equals the data's shape:
//   // m.observe("y", stochos::Normal(mu, 1), y, {8}, {.shape = stochos::Shape{8}});
//   stochos::LogDensity d = m.compile();            // or m.compile({.backend = "torch"})
//
// A recurrence is a scan (Note [scan] in graph/scan.hpp), its body a lambda of the carries, one
// row of each sequence and the constants; a model tensor used inside is captured:
//
//   auto s2 = stochos::scan([&](const stochos::ScanArgs& a) -> stochos::ScanStep {
//     auto next = a.capture(alpha0) + a.capture(alpha1) * square(a.sequences[0] - a.capture(mu))
//                 + a.capture(beta1) * a.carries[0];
//     return {{next}, {}};
//   }, {sigma1_sq}, {y_lagged});   // s2.carries[0][t]: the variance at t + 1
#pragma once

#include "distributions/distribution.hpp"
#include "graph/scan.hpp"
#include "model/model.hpp"

namespace stochos {

using graph::DType;
using graph::Shape;
using graph::Tensor;
using model::CompileOptions;
using model::Layout;
using model::LogDensity;
using model::Model;
using model::ObserveOptions;
using model::RvOptions;

using graph::scan;
using graph::ScanArgs;
using graph::ScanResult;
using graph::ScanStep;

using distributions::AR;
using distributions::Arg;
using distributions::ArOptions;
using distributions::Bernoulli;
using distributions::Beta;
using distributions::BetaBinomial;
using distributions::Binomial;
using distributions::Categorical;
using distributions::Cauchy;
using distributions::ChiSquared;
using distributions::Dirichlet;
using distributions::DiscreteUniform;
using distributions::Distribution;
using distributions::Exponential;
using distributions::Flat;
using distributions::Gamma;
using distributions::GaussianRandomWalk;
using distributions::Geometric;
using distributions::HalfCauchy;
using distributions::HalfFlat;
using distributions::HalfNormal;
using distributions::HalfStudentT;
using distributions::InverseGamma;
using distributions::Laplace;
using distributions::LKJCholeskyCov;
using distributions::LKJCorr;
using distributions::Logistic;
using distributions::LogNormal;
// By name, alternatives by keyword: make("Gamma", {{"mu", 2}, {"sigma", 1}}).
using distributions::make;
using distributions::Mixture;  // Mixture(w, {Normal(m0, s0), Normal(m1, s1)})
using distributions::Multinomial;
using distributions::MvNormal;
using distributions::NamedArg;
using distributions::NegativeBinomial;
using distributions::Normal;
using distributions::NormalMixture;
using distributions::OrderedLogistic;
using distributions::Poisson;
using distributions::SkewNormal;
using distributions::StudentT;
using distributions::TruncatedNormal;
using distributions::Uniform;
using distributions::Weibull;
using distributions::ZeroInflatedPoisson;

}  // namespace stochos
