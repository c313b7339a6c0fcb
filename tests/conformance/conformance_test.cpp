// The runner: every case on every registered backend. Values in float64 (the graph as built, and
// again after rewrite::optimize, the path models take), in float32 where the case asks, and the
// gradient of sum(w * out) with fixed random weights against central differences.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/registry.hpp"
#include "case.hpp"
#include "coverage.hpp"
#include "xfail.hpp"

namespace stochos::conformance {
namespace {

using Failures = std::vector<std::string>;

// --- Running a graph ----------------------------------------------------------------------------

std::vector<unsigned char> to_bytes(const Values& v, DType d) {
  std::vector<unsigned char> out(v.size() * backends::element_size(d) + 8);
  for (std::size_t i = 0; i < v.size(); ++i) switch (d) {
      case DType::f64:
        reinterpret_cast<double*>(out.data())[i] = v[i];
        break;
      case DType::f32:
        reinterpret_cast<float*>(out.data())[i] = static_cast<float>(v[i]);
        break;
      case DType::i64:
        reinterpret_cast<std::int64_t*>(out.data())[i] = static_cast<std::int64_t>(v[i]);
        break;
      case DType::boolean:
        out[i] = v[i] != 0 ? 1 : 0;
        break;
    }
  return out;
}

double from_bytes(const std::vector<unsigned char>& b, DType d, std::size_t i) {
  switch (d) {
    case DType::f64:
      return reinterpret_cast<const double*>(b.data())[i];
    case DType::f32:
      return reinterpret_cast<const float*>(b.data())[i];
    case DType::i64:
      return static_cast<double>(reinterpret_cast<const std::int64_t*>(b.data())[i]);
    case DType::boolean:
      return b[i];
  }
  return 0;
}

// A graph compiled once on a backend and run on doubles (converted to each input's dtype), so
// that finite differences re-run it without recompiling.
class Compiled {
 public:
  Compiled(const backends::Backend& b, const std::vector<Tensor>& in,
           const std::vector<Tensor>& out, bool optimize)
      : in_(in), out_(out) {
    std::vector<graph::NodeId> i, o;
    for (const auto& t : in) i.push_back(t.id());
    for (const auto& t : out) o.push_back(t.id());
    backends::CompileOptions opts;
    opts.optimize = optimize;
    exe_ = backends::compile(b, out.at(0).graph(), i, o, opts);
    ws_ = exe_->make_workspace();
  }
  std::vector<Values> operator()(const std::vector<Values>& values) {
    std::vector<std::vector<unsigned char>> ib, ob;
    std::vector<const void*> ip;
    std::vector<void*> op;
    for (std::size_t k = 0; k < in_.size(); ++k) ib.push_back(to_bytes(values[k], in_[k].dtype()));
    for (auto& b : ib) ip.push_back(b.data());
    for (const auto& t : out_)
      ob.emplace_back(static_cast<std::size_t>(t.size()) * backends::element_size(t.dtype()) + 8);
    for (auto& b : ob) op.push_back(b.data());
    exe_->run(*ws_, ip, op);
    std::vector<Values> r;
    for (std::size_t k = 0; k < out_.size(); ++k) {
      Values v(static_cast<std::size_t>(out_[k].size()));
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = from_bytes(ob[k], out_[k].dtype(), i);
      r.push_back(std::move(v));
    }
    return r;
  }
  const std::vector<backends::TensorSpec>& output_specs() const { return exe_->output_specs(); }

 private:
  std::vector<Tensor> in_, out_;
  std::unique_ptr<backends::Executable> exe_;
  std::unique_ptr<backends::Workspace> ws_;
};

// --- Inputs -------------------------------------------------------------------------------------

// The case's input values: fixed ones, or drawn with a seed from the case's name.
std::vector<Values> draw_inputs(const Case& c, bool f32) {
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  std::vector<Values> v;
  for (const Input& in : c.inputs) {
    Values x = in.values;
    const auto n = static_cast<std::size_t>(graph::numel(in.shape));
    if (x.empty()) {
      for (std::size_t i = 0; i < n; ++i) {
        const double u = std::uniform_real_distribution<double>(in.lo, in.hi)(rng);
        x.push_back(in.integers ? std::round(u) : u);
      }
    }
    if (in.spd) {  // B B^T / m + I from the drawn B
      const auto m = in.shape.at(0);
      Values a(n);
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < m; ++j) {
          double s = i == j ? 1.0 : 0.0;
          for (std::int64_t k = 0; k < m; ++k)
            s += at(x, m, i, k) * at(x, m, j, k) / static_cast<double>(m);
          a[static_cast<std::size_t>(i * m + j)] = s;
        }
      x = a;
    }
    // A float32 run and its reference see the same (rounded) inputs.
    if ((f32 && in.dtype == DType::f64) || in.dtype == DType::f32)
      for (double& e : x) e = static_cast<float>(e);
    v.push_back(std::move(x));
  }
  return v;
}

std::vector<Tensor> make_inputs(graph::Graph& g, const Case& c, bool f32) {
  std::vector<Tensor> t;
  for (std::size_t k = 0; k < c.inputs.size(); ++k) {
    const DType d = c.inputs[k].dtype == DType::f64 && f32 ? DType::f32 : c.inputs[k].dtype;
    std::string name = "x";  // not "x" + to_string(k): g++ 12 warns (-Wrestrict, a false alarm)
    name.append(std::to_string(k));
    t.push_back(graph::input(g, name, d, c.inputs[k].shape));
  }
  return t;
}

// --- Comparing ----------------------------------------------------------------------------------

// Equal (infinities and NaN included), or within tol relative to max(1, |want|) (to |want|
// plus `floor` when relative). A finite want needs a finite result: NaN and inf fail.
bool close(double got, double want, double tol, bool relative, double floor) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  const double scale = relative ? std::abs(want) : std::max(1.0, std::abs(want));
  return std::abs(got - want) <= tol * scale + (relative ? floor : 0.0);
}

std::string num(double x) {
  std::ostringstream s;
  s << std::setprecision(17) << x;
  return s.str();
}

void compare(const Values& got, const Values& want, double tol, bool relative, DType dtype,
             const std::string& what, Failures& out) {
  if (got.size() != want.size()) {
    out.push_back(what + ": " + std::to_string(got.size()) + " values, want " +
                  std::to_string(want.size()));
    return;
  }
  // A few steps of the smallest subnormal: below that nothing is relative.
  const double floor = 4 * (dtype == DType::f32 ? std::numeric_limits<float>::denorm_min()
                                                : std::numeric_limits<double>::denorm_min());
  int bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!close(got[i], want[i], tol, relative, floor) && bad++ < 6)
      out.push_back(what + " [" + std::to_string(i) + "]: got " + num(got[i]) + ", want " +
                    num(want[i]) + " (tolerance " + num(tol) + ")");
  if (bad > 6) out.push_back(what + ": " + std::to_string(bad) + " elements differ in all");
}

// Reports the failures; under a known bug, skips instead (and fails once the bug is gone, so the
// entry is removed).
void conclude(const Failures& failures, const std::string& bug, const Case& c,
              const std::string& backend, Check check) {
  std::string all;
  for (const auto& f : failures) all += f + "\n";
  if (!bug.empty()) {
    if (failures.empty()) {
      record(c, backend, check, Outcome::failed);
      ADD_FAILURE() << "known bug no longer reproduces; remove its entry from xfail.hpp: " << bug;
      return;
    }
    record(c, backend, check, Outcome::skipped);
    GTEST_SKIP() << "known bug: " << bug << "\n" << all;
  }
  record(c, backend, check, failures.empty() ? Outcome::passed : Outcome::failed);
  if (!failures.empty()) ADD_FAILURE() << all;
}

// --- Parameters ---------------------------------------------------------------------------------

// The backend by name: enumerating the cases opens no engine module, so a process running
// native's cases never loads libtorch (tests/CMakeLists.txt groups each module engine's cases).
struct Param {
  std::string backend;
  const Case* c;
  bool f32;
};

void PrintTo(const Param& p, std::ostream* os) {
  *os << p.backend << "/" << p.c->name << (p.f32 ? "/f32" : "");
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return info.param.backend + "_" + info.param.c->name + (info.param.f32 ? "_f32" : "");
}

std::vector<Param> value_params() {
  std::vector<Param> p;
  for (const std::string& b : backends::backend_names())
    for (const Case& c : all_cases()) {
      p.push_back({b, &c, false});
      if (c.f32_tolerance > 0) p.push_back({b, &c, true});
    }
  return p;
}

std::vector<Param> gradient_params() {
  std::vector<Param> p;
  for (const std::string& b : backends::backend_names())
    for (const Case& c : all_cases())
      if (has_gradient(c)) p.push_back({b, &c, false});
  return p;
}

// --- The tests ----------------------------------------------------------------------------------

class OpValues : public ::testing::TestWithParam<Param> {};
class OpGradients : public ::testing::TestWithParam<Param> {};

TEST_P(OpValues, MatchTheReference) {
  const auto& [backend, c, f32] = GetParam();
  const Check check = f32 ? Check::f32 : Check::values;
  if (auto why = xfail_reason(backend, c->ops); !why.empty()) {
    record(*c, backend, check, Outcome::skipped);
    GTEST_SKIP() << "xfail: " << why;
  }
  graph::Graph g;
  const auto in = make_inputs(g, *c, f32);
  const auto values = draw_inputs(*c, f32);
  const Tensor out = c->build(in);
  const Expected want = c->reference(values);
  Failures failures;
  if (out.shape() != want.shape)
    failures.push_back("shape " + graph::shape_str(out.shape()) + ", want " +
                       graph::shape_str(want.shape));
  // A float32 case must compute in float32: a stray float64 constant would promote it.
  if (f32 && graph::is_float(out.dtype()) && out.dtype() != DType::f32)
    failures.push_back("float32 inputs gave a " + std::string(graph::dtype_name(out.dtype())) +
                       " result");
  const double tol = f32 ? c->f32_tolerance : c->tolerance;
  Values expected = want.values;
  if (out.dtype() == DType::f32)
    for (double& e : expected) e = static_cast<float>(e);
  if (failures.empty())
    for (const bool optimize : {false, true}) {
      Compiled run(backends::get_backend(backend), in, {out}, optimize);
      if (run.output_specs().at(0).shape != want.shape)
        failures.push_back("executable output shape " +
                           graph::shape_str(run.output_specs()[0].shape));
      compare(run(values)[0], expected, tol, c->relative, out.dtype(),
              optimize ? "after rewrite::optimize" : "as built", failures);
    }
  conclude(failures, known_bug(backend, c->name, check), *c, backend, check);
}

TEST_P(OpGradients, MatchCentralDifferences) {
  const auto& [backend, c, f32] = GetParam();
  if (auto why = xfail_reason(backend, c->ops); !why.empty()) {
    record(*c, backend, Check::gradient, Outcome::skipped);
    GTEST_SKIP() << "xfail: " << why;
  }
  graph::Graph g;
  const auto in = make_inputs(g, *c, false);
  auto values = draw_inputs(*c, false);
  const Tensor out = c->build(in);
  ASSERT_TRUE(graph::is_float(out.dtype())) << "a gradient case needs a float result";
  // f = sum(w * out) with fixed weights, so every output element's derivative counts.
  std::mt19937_64 rng(std::hash<std::string>{}(c->name) + 1);
  Values w(static_cast<std::size_t>(out.size()));
  for (double& e : w) e = std::uniform_real_distribution<double>(0.5, 1.5)(rng);
  const Shape out_shape = out.shape();
  const Tensor f = graph::sum(graph::constant(g, out_shape, w, out.dtype()) * out);
  std::vector<Tensor> wrt;
  std::vector<std::size_t> which;
  for (std::size_t k = 0; k < in.size(); ++k)
    if (c->inputs[k].differentiable && c->inputs[k].dtype == DType::f64) {
      wrt.push_back(in[k]);
      which.push_back(k);
    }
  const auto grads = autodiff::grad(f, wrt);
  Failures failures;
  for (std::size_t k = 0; k < grads.size(); ++k)
    if (grads[k].shape() != wrt[k].shape())
      failures.push_back("gradient of input " + std::to_string(which[k]) + " has shape " +
                         graph::shape_str(grads[k].shape()));
  if (!failures.empty()) {
    conclude(failures, known_bug(backend, c->name, Check::gradient), *c, backend, Check::gradient);
    return;
  }
  // Outputs: out itself (for the differences), then the gradients.
  std::vector<Tensor> outs = {out};
  outs.insert(outs.end(), grads.begin(), grads.end());
  const backends::Backend& engine = backends::get_backend(backend);
  Compiled raw(engine, in, outs, false), optimized(engine, in, outs, true);
  const auto ad = raw(values), ad_opt = optimized(values);
  for (std::size_t k = 0; k < which.size(); ++k) {
    const Input& spec = c->inputs[which[k]];
    Values& x = values[which[k]];
    const auto m = spec.spd ? spec.shape[0] : 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      // A symmetric input moves (r, s) and (s, r) together: d/dh f(A + h (E_rs + E_sr)) is
      // G_rs + G_sr, with the diagonal moved once.
      std::size_t mirror = i;
      if (spec.spd) {
        const auto r = static_cast<std::int64_t>(i) / m, s = static_cast<std::int64_t>(i) % m;
        if (s > r) continue;
        mirror = static_cast<std::size_t>(s * m + r);
      }
      const double xi = x[i], h = 1e-6 * std::max(1.0, std::abs(xi));
      const auto eval_at = [&](double v) {
        x[i] = v;
        x[mirror] = v;
        Values y = raw(values)[0];
        x[i] = x[mirror] = xi;
        return y;
      };
      // sum_j w_j (out_j(x + h) - out_j(x - h)) / 2h, differenced element by element: the
      // difference of the sums would drown in the rounding of unrelated large elements
      // (expm1(700) beside expm1(1e-20)). Unchanged elements are skipped (inf - inf).
      const Values up = eval_at(xi + h), down = eval_at(xi - h);
      long double diff = 0;
      for (std::size_t j = 0; j < up.size(); ++j)
        if (up[j] != down[j]) diff += static_cast<long double>(w[j]) * (up[j] - down[j]);
      const double fd = static_cast<double>(diff / (2 * h));
      const double tol = 1e-6 * std::max(1.0, std::abs(fd));
      for (const auto* got : {&ad, &ad_opt}) {
        const Values& gk = (*got)[1 + k];
        const double d = gk[i] + (mirror != i ? gk[mirror] : 0.0);
        if (!std::isfinite(d) || std::abs(d - fd) > tol)
          failures.push_back(std::string(got == &ad ? "as built" : "after rewrite::optimize") +
                             ": d/d input " + std::to_string(which[k]) + " [" + std::to_string(i) +
                             "] at " + num(xi) + ": autodiff " + num(d) + ", differences " +
                             num(fd));
      }
    }
  }
  if (failures.size() > 8) failures.resize(8);
  conclude(failures, known_bug(backend, c->name, Check::gradient), *c, backend, Check::gradient);
}

INSTANTIATE_TEST_SUITE_P(All, OpValues, ::testing::ValuesIn(value_params()), param_name);
INSTANTIATE_TEST_SUITE_P(All, OpGradients, ::testing::ValuesIn(gradient_params()), param_name);

}  // namespace
}  // namespace stochos::conformance
