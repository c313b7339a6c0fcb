// The compile pipeline's contract with any engine: an op the engine lacks fails at compile
// time naming the op and the engine; the rewrites run first, so an op they remove is no gap.
#include <gtest/gtest.h>

#include <string>

#include "backends/compile.hpp"
#include "backends/registry.hpp"
#include "graph/tensor.hpp"
#include "stochos/error.hpp"

namespace stochos::backends {
namespace {

using namespace graph;

// The native engine, except that it claims not to know one op.
class Lacking final : public Backend {
 public:
  explicit Lacking(Op missing) : missing_(missing) {}
  std::string name() const override { return "lacking"; }
  std::string version() const override { return "0"; }
  std::vector<std::string> devices() const override { return {"cpu"}; }
  std::vector<DType> dtypes() const override { return {DType::f64}; }
  bool supports(const Graph&, const Node& n) const override { return n.op != missing_; }
  std::unique_ptr<Executable> compile(const Graph& g, std::span<const NodeId> inputs,
                                      std::span<const NodeId> outputs,
                                      const CompileOptions& options) const override {
    return get_backend("native").compile(g, inputs, outputs, options);
  }

 private:
  Op missing_;
};

std::string compile_error(const Backend& b, const Tensor& x, const Tensor& y, bool optimize) {
  const NodeId in[] = {x.id()}, out[] = {y.id()};
  CompileOptions o;
  o.optimize = optimize;
  try {
    compile(b, x.graph(), in, out, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CompilePipeline, AnOpTheEngineLacksIsACompileErrorNamingBoth) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = sum(cumsum(exp(x)));
  for (bool optimize : {true, false}) {
    const std::string e = compile_error(Lacking(Op::cumsum), x, y, optimize);
    EXPECT_NE(e.find("backend lacking"), std::string::npos) << e;
    EXPECT_NE(e.find("'cumsum'"), std::string::npos) << e;
    EXPECT_NE(e.find("float64[3]"), std::string::npos) << e;
  }
}

TEST(CompilePipeline, AnOpTheRewritesRemoveNeedsNoSupport) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = sum(log(exp(x)));  // log(exp(x)) -> x
  EXPECT_EQ(compile_error(Lacking(Op::log), x, y, /*optimize=*/true), "");
  EXPECT_NE(compile_error(Lacking(Op::log), x, y, /*optimize=*/false), "");
}

TEST(CompilePipeline, UnknownBackendListsTheValidNames) {
  try {
    get_backend("jax");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("native"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace stochos::backends
