// The public C++ API (SPEC.md §1.2): build a model PyMC's way, compile its log density.
//
//   stochos::Model m;
//   auto mu  = m.rv("mu", stochos::Normal(0, 5));
//   auto tau = m.rv("tau", stochos::HalfCauchy(5));
//   auto z   = m.rv("theta_z", stochos::Normal(0, 1), {.shape = stochos::Shape{8}});
//   m.observe("y", stochos::Normal(mu + tau * z, sigma), y, {8});
//   stochos::LogDensity d = m.compile();            // or m.compile({.backend = "torch"})
#pragma once

#include "dist/distribution.hpp"
#include "model/model.hpp"

namespace stochos {

using graph::DType;
using graph::Shape;
using graph::Tensor;
using model::CompileOptions;
using model::Layout;
using model::LogDensity;
using model::Model;
using model::RvOptions;

using dist::AR;
using dist::Arg;
using dist::ArOptions;
using dist::Bernoulli;
using dist::Beta;
using dist::BetaBinomial;
using dist::Binomial;
using dist::Categorical;
using dist::Cauchy;
using dist::ChiSquared;
using dist::Dirichlet;
using dist::DiscreteUniform;
using dist::Distribution;
using dist::Exponential;
using dist::Flat;
using dist::Gamma;
using dist::GaussianRandomWalk;
using dist::Geometric;
using dist::HalfCauchy;
using dist::HalfFlat;
using dist::HalfNormal;
using dist::HalfStudentT;
using dist::InverseGamma;
using dist::Laplace;
using dist::LKJCholeskyCov;
using dist::LKJCorr;
using dist::Logistic;
using dist::LogNormal;
using dist::make;     // by name, alternatives by keyword: make("Gamma", {{"mu", 2}, {"sigma", 1}})
using dist::Mixture;  // Mixture(w, {Normal(m0, s0), Normal(m1, s1)})
using dist::Multinomial;
using dist::MvNormal;
using dist::NamedArg;
using dist::NegativeBinomial;
using dist::Normal;
using dist::NormalMixture;
using dist::OrderedLogistic;
using dist::Poisson;
using dist::SkewNormal;
using dist::StudentT;
using dist::TruncatedNormal;
using dist::Uniform;
using dist::Weibull;
using dist::ZeroInflatedPoisson;

}  // namespace stochos
