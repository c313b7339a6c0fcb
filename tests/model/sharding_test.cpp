// A sharded likelihood (model/sharding.hpp): the same model built on row slices of its data, each
// slice's shard_logp compiled (the first slice the lead), sums to the whole data's log density
// and gradient; models whose density does not split by rows are refused with the term named.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "model/sharding.hpp"
#include "stochos/error.hpp"
#include "stochos/model.hpp"

namespace stochos::model {
namespace {

using namespace distributions;
using graph::NodeId;

constexpr std::int64_t kRows = 31;

// Rows [lo, hi) of a row-major array of `width` columns.
std::vector<double> rows(const std::vector<double>& v, std::size_t lo, std::size_t hi,
                         std::size_t width = 1) {
  return {v.begin() + static_cast<std::ptrdiff_t>(lo * width),
          v.begin() + static_cast<std::ptrdiff_t>(hi * width)};
}

std::vector<double> normals(std::size_t n, unsigned seed, double scale = 1.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0.0, scale);
  std::vector<double> v(n);
  for (double& x : v) x = z(rng);
  return v;
}

// Builds the model on rows [lo, hi) of its data; returns the sharded data containers' inputs.
using Builder = std::function<std::vector<NodeId>(Model&, std::size_t lo, std::size_t hi)>;

struct Eval {
  double lp;
  std::vector<double> grad;
};

Eval eval(const LogDensity& d, const std::vector<double>& theta) {
  auto ws = d.make_workspace();
  Eval e{0.0, std::vector<double>(theta.size())};
  e.lp = d(*ws, theta.data(), e.grad.data());
  return e;
}

void expect_close(double got, double want, const std::string& what) {
  EXPECT_LE(std::abs(got - want), 1e-12 * std::max(1.0, std::abs(want)))
      << what << ": " << got << " vs " << want;
}

// The shards of `cuts` (row boundaries, 0 first and kRows last) sum to the whole model's log
// density and gradient at random points, with and without the Jacobians.
void expect_shards_sum_to_whole(const Builder& build, const std::vector<std::size_t>& cuts) {
  for (const bool jacobian : {true, false}) {
    Model whole;
    build(whole, 0, kRows);
    const LogDensity full = whole.compile({.jacobian = jacobian});
    const auto dim = static_cast<std::size_t>(whole.layout().dim);
    std::vector<std::unique_ptr<Model>> models;
    std::vector<LogDensity> shards;
    for (std::size_t s = 0; s + 1 < cuts.size(); ++s) {
      models.push_back(std::make_unique<Model>());
      Model& m = *models.back();
      const auto sharded = build(m, cuts[s], cuts[s + 1]);
      const ShardPlan plan = plan_sharding(m, sharded, jacobian);
      shards.push_back(
          m.compile_density(shard_logp(m, plan, s == 0, jacobian), {.jacobian = jacobian}));
      ASSERT_EQ(static_cast<std::size_t>(m.layout().dim), dim);
    }
    for (unsigned seed = 1; seed <= 4; ++seed) {
      const std::vector<double> theta = normals(dim, 100 + seed, 0.5);
      const Eval want = eval(full, theta);
      ASSERT_TRUE(std::isfinite(want.lp));
      Eval got{0.0, std::vector<double>(dim)};
      for (const LogDensity& d : shards) {
        const Eval e = eval(d, theta);
        got.lp += e.lp;
        for (std::size_t i = 0; i < dim; ++i) got.grad[i] += e.grad[i];
      }
      expect_close(got.lp, want.lp, "log density");
      double scale = 1.0;
      for (double g : want.grad) scale = std::max(scale, std::abs(g));
      for (std::size_t i = 0; i < dim; ++i)
        EXPECT_LE(std::abs(got.grad[i] - want.grad[i]), 1e-12 * scale) << "gradient " << i;
    }
  }
}

void expect_all_splits(const Builder& build) {
  expect_shards_sum_to_whole(build, {0, kRows});
  expect_shards_sum_to_whole(build, {0, 12, kRows});
  expect_shards_sum_to_whole(build, {0, 7, 20, kRows});
}

const std::vector<double> kX = normals(kRows, 1);
const std::vector<double> kY = [] {
  std::vector<double> y = normals(kRows, 2, 0.3);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += 1.0 + 2.0 * kX[i];
  return y;
}();

// y ~ Normal(a + b x, sigma), with a potential on the parameters and one summing over the rows.
std::vector<NodeId> linear(Model& m, std::size_t lo, std::size_t hi) {
  const Tensor a = m.rv("a", Normal(0, 5));
  const Tensor b = m.rv("b", Normal(0, 5));
  const Tensor sigma = m.rv("sigma", HalfNormal(2));
  const Tensor x = m.data("x", rows(kX, lo, hi), {static_cast<std::int64_t>(hi - lo)});
  const Tensor y = m.data("y_data", rows(kY, lo, hi), {static_cast<std::int64_t>(hi - lo)});
  m.observe("y", Normal(a + b * x, sigma), y);
  m.potential("shrink", -0.5 * graph::square(a - b));
  m.potential("rows", 0.1 * b * graph::sum(graph::log1p(graph::square(x))));
  return {x.id(), y.id()};
}

TEST(Sharding, LinearRegressionSumsToTheWholeDensity) {
  expect_all_splits(linear);
}

TEST(Sharding, PlanNamesTheShardedParts) {
  Model m;
  const auto sharded = linear(m, 0, 10);
  const ShardPlan plan = plan_sharding(m, sharded);
  // a, b, sigma (its density and its log-Jacobian), y, shrink, rows.
  using Parts = std::vector<std::vector<bool>>;
  EXPECT_EQ(plan.parts, (Parts{{false}, {false}, {false, false}, {true}, {false}, {true}}));
  EXPECT_EQ(plan.sharded_terms, (std::vector<std::string>{"y", "rows"}));
  // Without Jacobians sigma has one part; nothing sharded: nothing for the other ranks.
  EXPECT_EQ(plan_sharding(m, sharded, false).parts[2].size(), 1u);
  const ShardPlan none = plan_sharding(m, {});
  EXPECT_TRUE(none.sharded_terms.empty());
  EXPECT_TRUE(shard_logp(m, none, false).is_constant());
}

TEST(Sharding, TheLeadOverAllRowsIsLogp) {
  Model m;
  const auto sharded = linear(m, 0, kRows);
  const ShardPlan plan = plan_sharding(m, sharded);
  EXPECT_EQ(shard_logp(m, plan, true).id(), m.logp(true).id());
  EXPECT_EQ(shard_logp(m, plan_sharding(m, sharded, false), true, false).id(), m.logp(false).id());
}

TEST(Sharding, AParameterPotentialCountsOnceOnTheLead) {
  // Two shards of a model whose only term is a potential on a parameter: the other rank adds 0.
  Model lead, other;
  for (Model* m : {&lead, &other}) {
    const Tensor a = m->rv("a", Flat());
    m->potential("p", -0.5 * graph::square(a - 3.0));
  }
  const LogDensity dl = lead.compile_density(shard_logp(lead, plan_sharding(lead, {}), true));
  const LogDensity d_other =
      other.compile_density(shard_logp(other, plan_sharding(other, {}), false));
  const std::vector<double> theta = {1.0};
  EXPECT_DOUBLE_EQ(eval(dl, theta).lp, -2.0);
  EXPECT_DOUBLE_EQ(eval(dl, theta).grad[0], 2.0);
  EXPECT_EQ(eval(d_other, theta).lp, 0.0);
  EXPECT_EQ(eval(d_other, theta).grad[0], 0.0);
}

TEST(Sharding, LogisticRegressionWithADesignMatrix) {
  constexpr std::int64_t kD = 3;
  const std::vector<double> X = normals(kRows * kD, 3);
  std::vector<double> y(kRows);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (X[i * kD] + X[i * kD + 2] > 0) ? 1 : 0;
  expect_all_splits([&](Model& m, std::size_t lo, std::size_t hi) {
    const auto n = static_cast<std::int64_t>(hi - lo);
    const Tensor alpha = m.rv("alpha", Normal(0, 2));
    const Tensor beta = m.rv("beta", Normal(0, 1), {.shape = Shape{kD}});
    const Tensor x = m.data("X", rows(X, lo, hi, kD), {n, kD});
    const Tensor yd = m.data("y_data", rows(y, lo, hi), {n});
    // A column of X (a slice keeping every row) as well as X @ beta.
    const Tensor col = graph::reshape(graph::slice(x, 1, 1, 2), {n});
    m.observe("y", make("Bernoulli", {{"logit_p", alpha + graph::matmul(x, beta) + 0.1 * col}}),
              yd);
    return std::vector<NodeId>{x.id(), yd.id()};
  });
}

TEST(Sharding, VaryingInterceptsGatheredByAShardedIndex) {
  constexpr std::int64_t kJ = 4;
  std::vector<double> county(kRows);
  for (std::size_t i = 0; i < county.size(); ++i) county[i] = static_cast<double>((i * 7) % kJ);
  expect_all_splits([&](Model& m, std::size_t lo, std::size_t hi) {
    const auto n = static_cast<std::int64_t>(hi - lo);
    const Tensor mu_a = m.rv("mu_a", Normal(0, 5));
    const Tensor sigma_a = m.rv("sigma_a", HalfNormal(1));
    const Tensor a = m.rv("a", Normal(mu_a, sigma_a), {.shape = Shape{kJ}});
    const Tensor b = m.rv("b", Normal(0, 2));
    const Tensor sigma = m.rv("sigma", Exponential(1));
    const Tensor c = m.data("county", rows(county, lo, hi), {n}, DType::i64);
    const Tensor x = m.data("x", rows(kX, lo, hi), {n});
    const Tensor y = m.data("y_data", rows(kY, lo, hi), {n});
    m.observe("y", Normal(graph::gather(a, c) + b * x, sigma), y);
    return std::vector<NodeId>{c.id(), x.id(), y.id()};
  });
}

TEST(Sharding, PoissonWithALogRateAndAnExposure) {
  std::vector<double> counts(kRows), exposure(kRows);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    counts[i] = static_cast<double>((i * 5) % 9);
    exposure[i] = 0.5 + static_cast<double>(i % 3);
  }
  expect_all_splits([&](Model& m, std::size_t lo, std::size_t hi) {
    const auto n = static_cast<std::int64_t>(hi - lo);
    const Tensor a = m.rv("a", Normal(0, 2));
    const Tensor b = m.rv("b", Normal(0, 1));
    const Tensor x = m.data("x", rows(kX, lo, hi), {n});
    const Tensor e = m.data("exposure", rows(exposure, lo, hi), {n});
    const Tensor k = m.data("counts", rows(counts, lo, hi), {n});
    m.observe("k", Poisson(graph::exp(a + b * x + graph::log(e))), k);
    return std::vector<NodeId>{x.id(), e.id(), k.id()};
  });
}

TEST(Sharding, MultivariateRowsCheckedAsOneCondition) {
  // A [N, 2] observation: its support check is one scalar over every element (min > 0.5), which
  // splits by shards (Note [sharded density]).
  const std::vector<double> Y = normals(kRows * 2, 4);
  expect_all_splits([&](Model& m, std::size_t lo, std::size_t hi) {
    const Tensor mu = m.rv("mu", Normal(0, 3), {.shape = Shape{2}});
    const Tensor y = m.data("Y", rows(Y, lo, hi, 2), {static_cast<std::int64_t>(hi - lo), 2});
    m.observe("y", MvNormal(mu, Arg({1.0, 0.3, 0.3, 2.0}, {2, 2})), y);
    return std::vector<NodeId>{y.id()};
  });
}

TEST(Sharding, ADataPointOutsideTheSupportMakesTheSumMinusInfinity) {
  std::vector<double> counts(kRows, 2.0);
  counts[20] = -1.0;  // on the second shard
  Model lead, other;
  std::vector<LogDensity> ds;
  for (auto [m, lo, hi] : {std::tuple{&lead, 0, 12}, std::tuple{&other, 12, int(kRows)}}) {
    const Tensor a = m->rv("a", Normal(0, 2));
    const Tensor k = m->data("counts", rows(counts, lo, hi), {hi - lo});
    m->observe("k", Poisson(graph::exp(a)), k);
    ds.push_back(m->compile_density(shard_logp(*m, plan_sharding(*m, {k.id()}), m == &lead)));
  }
  EXPECT_TRUE(std::isfinite(eval(ds[0], {0.3}).lp));
  EXPECT_EQ(eval(ds[1], {0.3}).lp, -INFINITY);
}

// The message of plan_sharding's InputError for the model `build` makes on rows [0, 10).
std::string refusal(const Builder& build) {
  Model m;
  const auto sharded = build(m, 0, 10);
  try {
    plan_sharding(m, sharded);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

// x and y_data on rows [lo, hi), with y ~ Normal(mu, 1) observed.
std::vector<NodeId> with_data(Model& m, std::size_t lo, std::size_t hi,
                              const std::function<Tensor(Model&, const Tensor& x)>& mean) {
  const auto n = static_cast<std::int64_t>(hi - lo);
  const Tensor x = m.data("x", rows(kX, lo, hi), {n});
  const Tensor y = m.data("y_data", rows(kY, lo, hi), {n});
  m.observe("y", Normal(mean(m, x), 1), y);
  return {x.id(), y.id()};
}

TEST(Sharding, RefusesASumOfRowsInAPrior) {
  EXPECT_EQ(refusal([](Model& m, std::size_t lo, std::size_t hi) {
              return with_data(m, lo, hi, [](Model& mm, const Tensor& x) {
                return mm.rv("mu", Normal(graph::sum(x) / 10.0, 1)) + x;
              });
            }),
            "sharding x, y_data by rows would change the density: term 'mu' mixes rows (sum over "
            "every axis of x [10])");
}

TEST(Sharding, RefusesTheMeanOfRowsAsAParameter) {
  EXPECT_EQ(refusal([](Model& m, std::size_t lo, std::size_t hi) {
              return with_data(m, lo, hi, [](Model&, const Tensor& x) { return graph::mean(x); });
            }),
            "sharding x, y_data by rows would change the density: term 'y' mixes rows (sum over "
            "every axis of x [10])");
}

TEST(Sharding, RefusesAPotentialOfASumInsideExp) {
  EXPECT_EQ(refusal([](Model& m, std::size_t lo, std::size_t hi) {
              const auto ids = with_data(m, lo, hi, [](Model&, const Tensor& x) { return x; });
              const Tensor x = m.data_vars()[0].input;
              m.potential("p", graph::exp(graph::sum(graph::log1p(graph::square(x)))));
              return ids;
            }),
            "sharding x, y_data by rows would change the density: term 'p' mixes rows (sum over "
            "every axis of [10])");
}

TEST(Sharding, RefusesGatheringShardedRows) {
  EXPECT_EQ(refusal([](Model& m, std::size_t lo, std::size_t hi) {
              const auto ids = with_data(m, lo, hi, [](Model&, const Tensor& x) { return x; });
              const Tensor idx = graph::constant(m.graph(), Shape{3}, {0, 2, 1}, DType::i64);
              m.potential("p", graph::sum(graph::gather(m.data_vars()[0].input, idx)));
              return ids;
            }),
            "sharding x, y_data by rows would change the density: term 'p' mixes rows (gather of "
            "x [10] by [3] (not sharded))");
}

TEST(Sharding, RefusesACumsumAlongTheRows) {
  EXPECT_EQ(refusal([](Model& m, std::size_t lo, std::size_t hi) {
              return with_data(m, lo, hi,
                               [](Model&, const Tensor& x) { return graph::cumsum(x, 0); });
            }),
            "sharding x, y_data by rows would change the density: term 'y' mixes rows (cumsum "
            "along axis 0 of x [10])");
}

TEST(Sharding, RefusesSlicingContractingOrTakingTheMinimumOfRows) {
  const auto potential = [](const std::function<Tensor(const Tensor& x)>& f) {
    return refusal([&](Model& m, std::size_t lo, std::size_t hi) {
      const auto n = static_cast<std::int64_t>(hi - lo);
      const Tensor x = m.data("x", rows(kX, lo, hi), {n});
      m.potential("p", f(x));
      return std::vector<NodeId>{x.id()};
    });
  };
  const std::string head = "sharding x by rows would change the density: term 'p' mixes rows (";
  EXPECT_EQ(potential([](const Tensor& x) { return graph::sum(graph::slice(x, 0, 1, {})); }),
            head + "slice of x [10])");
  EXPECT_EQ(potential([](const Tensor& x) {
              const Tensor c = graph::reshape(x, {10, 1});
              return graph::sum(graph::matmul(c, c, true, false));
            }),
            head + "matmul of [10, 1] and [10, 1])");
  EXPECT_EQ(potential([](const Tensor& x) { return graph::min(x); }),
            head + "min over every axis of x [10])");
  // Summed rows, scaled: accepted.
  EXPECT_EQ(potential([](const Tensor& x) { return -0.5 * graph::sum(graph::square(x)); }),
            "(accepted)");
}

TEST(Sharding, RefusesPerRowDataLeftUnsharded) {
  // y's rows as a constant rather than a sharded data container: the plan cannot split them.
  const std::string why = refusal([](Model& m, std::size_t lo, std::size_t hi) {
    const auto n = static_cast<std::int64_t>(hi - lo);
    const Tensor x = m.data("x", rows(kX, lo, hi), {n});
    m.observe("y", Normal(x, 1), rows(kY, lo, hi), {n});
    return std::vector<NodeId>{x.id()};
  });
  EXPECT_EQ(why,
            "sharding x by rows would change the density: term 'y' mixes rows (sub of [10] (not "
            "sharded) and x [10])");
}

TEST(Sharding, RefusesWhatIsNotOneLengthOfDataContainers) {
  Model m;
  const Tensor a = m.rv("a", Normal(0, 1));
  const Tensor x = m.data("x", rows(kX, 0, 10), {10});
  const Tensor z = m.data("z", rows(kX, 0, 5), {5});
  const Tensor s = m.data("s", {1.0}, {});
  m.potential("p", a * graph::sum(x) + a * graph::sum(z) + s);
  const auto message = [&](const std::vector<NodeId>& ids) -> std::string {
    try {
      plan_sharding(m, ids);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_EQ(message({a.id()}),
            "sharding: node " + std::to_string(a.id()) + " is not a data container");
  EXPECT_EQ(message({x.id(), z.id()}), "sharding: data 'z' has 5 rows but 'x' has 10");
  EXPECT_EQ(message({s.id()}), "sharding: data 's' is a scalar, not rows");
}

TEST(Sharding, CompileDensityIsCompileForLogp) {
  Model m;
  linear(m, 0, kRows);
  const std::vector<double> theta = normals(static_cast<std::size_t>(m.layout().dim), 9, 0.5);
  const Eval a = eval(m.compile(), theta), b = eval(m.compile_density(m.logp()), theta);
  EXPECT_EQ(a.lp, b.lp);
  EXPECT_EQ(a.grad, b.grad);
  EXPECT_THROW(m.compile_density(m.data_vars()[0].input), InputError);
  Model other;
  other.rv("a", Normal(0, 1));
  EXPECT_THROW(m.compile_density(other.logp()), InputError);
}

}  // namespace
}  // namespace stochos::model
