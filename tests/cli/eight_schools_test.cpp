// The demo's hand-built eight-schools density against an independent computation in plain
// doubles, on every registered engine, and its data loader against bad input.
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backends/registry.hpp"
#include "cli/eight_schools.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::cli {
namespace {

const char* const kData = R"({"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12],
                              "sigma": [15, 10, 16, 11, 9, 11, 10, 18]})";

struct Hand {
  double logp = 0.0;
  std::vector<double> grad;
};

// The density and its derivatives, written out by hand from the model's definition.
Hand by_hand(const EightSchoolsData& d, const std::vector<double>& th) {
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  const double mu = th[0], s = th[1], tau = std::exp(s);
  Hand h;
  h.grad.assign(th.size(), 0.0);
  h.logp = -0.5 * (mu / 5) * (mu / 5) - std::log(5.0) - half_log_2pi;
  h.grad[0] = -mu / 25;
  const double u = tau * tau / 25;
  h.logp += std::log(2.0) - std::log(std::numbers::pi) - std::log(5.0) - std::log1p(u) + s;
  h.grad[1] = -2 * u / (1 + u) + 1;
  for (std::size_t j = 0; j < d.y.size(); ++j) {
    const double z = th[2 + j];
    h.logp += -0.5 * z * z - half_log_2pi;
    h.grad[2 + j] = -z;
    const double r = (d.y[j] - (mu + tau * z)) / d.sigma[j];
    h.logp += -0.5 * r * r - std::log(d.sigma[j]) - half_log_2pi;
    const double dtheta = r / d.sigma[j];  // d logp / d theta_j
    h.grad[0] += dtheta;
    h.grad[1] += dtheta * tau * z;
    h.grad[2 + j] += dtheta * tau;
  }
  return h;
}

std::vector<testing::Values> evaluate(const backends::Backend& b, const EightSchoolsDensity& m,
                                      const std::vector<double>& theta) {
  return testing::evaluate(b, {m.theta}, {theta}, {m.logp, m.grad});
}

TEST(EightSchoolsDemo, LogDensityAtZeroMatchesAKnownValue) {
  // -43.43563727714813 computed independently (Python's math module) at mu = 0, tau = 1, z = 0.
  const EightSchoolsDensity m = build_eight_schools(parse_eight_schools_data(kData, "test"));
  for (const backends::Backend* b : backends::all_backends()) {
    const auto r = evaluate(*b, m, std::vector<double>(10, 0.0));
    EXPECT_NEAR(r[0][0], -43.43563727714813, 1e-12) << b->name();
    EXPECT_NEAR(r[1][0], 0.4635327549484746, 1e-14) << b->name();  // d/d mu = sum(y / sigma^2)
    EXPECT_NEAR(r[1][1], 1.0 - (2.0 / 25) / (1 + 1.0 / 25), 1e-14) << b->name();
  }
}

TEST(EightSchoolsDemo, LogDensityAndGradientMatchHandComputation) {
  const EightSchoolsData d = parse_eight_schools_data(kData, "test");
  const EightSchoolsDensity m = build_eight_schools(d);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> init(-2.0, 2.0);
  for (const backends::Backend* b : backends::all_backends()) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> theta(10);
      for (double& t : theta) t = init(rng);
      if (trial == 0) theta[1] = 12.0;  // tau = e^12: the HalfCauchy tail
      const Hand h = by_hand(d, theta);
      const auto r = evaluate(*b, m, theta);
      EXPECT_NEAR(r[0][0], h.logp, 1e-12 * std::abs(h.logp)) << b->name() << " trial " << trial;
      ASSERT_EQ(r[1].size(), h.grad.size());
      for (std::size_t i = 0; i < h.grad.size(); ++i)
        EXPECT_NEAR(r[1][i], h.grad[i], 1e-10 * (1 + std::abs(h.grad[i])))
            << b->name() << " trial " << trial << " " << m.names[i];
    }
  }
}

TEST(EightSchoolsDemo, WorksForAnyNumberOfSchools) {
  const EightSchoolsData d =
      parse_eight_schools_data(R"({"J": 3, "y": [1, -2, 0.5], "sigma": [1, 2, 3]})", "test");
  const EightSchoolsDensity m = build_eight_schools(d);
  EXPECT_EQ(m.theta.shape(), graph::Shape{5});
  const std::vector<double> theta = {0.3, -0.7, 1.1, -0.4, 0.9};
  const Hand h = by_hand(d, theta);
  const auto r = evaluate(backends::get_backend("native"), m, theta);
  EXPECT_NEAR(r[0][0], h.logp, 1e-12 * std::abs(h.logp));
  for (std::size_t i = 0; i < theta.size(); ++i) EXPECT_NEAR(r[1][i], h.grad[i], 1e-12);
}

TEST(EightSchoolsDemo, NamesFollowThePackedLayout) {
  const EightSchoolsDensity m = build_eight_schools(parse_eight_schools_data(kData, "test"));
  ASSERT_EQ(m.names.size(), 10u);
  EXPECT_EQ(m.names[0], "mu");
  EXPECT_EQ(m.names[1], "tau_log__");
  EXPECT_EQ(m.names[2], "theta_z[0]");
  EXPECT_EQ(m.names[9], "theta_z[7]");
  EXPECT_EQ(m.logp.shape(), graph::Shape{});
  EXPECT_EQ(m.grad.shape(), graph::Shape{10});
}

TEST(EightSchoolsData, LoadsTheExampleFile) {
  const EightSchoolsData d =
      load_eight_schools_data(STOCHOS_SOURCE_DIR "/examples/eight_schools.data.json");
  EXPECT_EQ(d.J, 8);
  EXPECT_EQ(d.y, (std::vector<double>{28, 8, -3, 7, -1, 1, 18, 12}));
  EXPECT_EQ(d.sigma, (std::vector<double>{15, 10, 16, 11, 9, 11, 10, 18}));
}

TEST(EightSchoolsData, IgnoresKeysTheModelDoesNotUse) {
  const EightSchoolsData d = parse_eight_schools_data(
      R"({"J": 1, "y": [2], "sigma": [3], "schools": ["A"], "note": null})", "test");
  EXPECT_EQ(d.J, 1);
}

// Each bad input is one InputError whose one-line message names the file and what is wrong.
void expect_input_error(const std::string& json, const std::string& needle) {
  try {
    parse_eight_schools_data(json, "bad.json");
    ADD_FAILURE() << "no error for " << json;
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(EightSchoolsData, RejectsBadInputWithOneLine) {
  expect_input_error("", "invalid JSON");
  expect_input_error(R"({"J": 8, "y": [1, 2)", "invalid JSON");
  expect_input_error("\x01\xff\n{", "invalid JSON");
  expect_input_error("[1, 2]", "JSON object");
  expect_input_error(R"({"y": [1], "sigma": [1]})", "missing key 'J'");
  expect_input_error(R"({"J": 1, "sigma": [1]})", "missing key 'y'");
  expect_input_error(R"({"J": 1, "y": [1]})", "missing key 'sigma'");
  expect_input_error(R"({"J": 2.5, "y": [1], "sigma": [1]})", "'J'");
  expect_input_error(R"({"J": 0, "y": [], "sigma": []})", "'J'");
  expect_input_error(R"({"J": "8", "y": [1], "sigma": [1]})", "'J'");
  expect_input_error(R"({"J": 2, "y": [1], "sigma": [1, 1]})", "'y'");
  expect_input_error(R"({"J": 1, "y": 1, "sigma": [1]})", "'y'");
  expect_input_error(R"({"J": 1, "y": ["a"], "sigma": [1]})", "'y'");
  expect_input_error(R"({"J": 1, "y": [1e999], "sigma": [1]})", "invalid JSON");
  expect_input_error(R"({"J": 1, "y": [1], "sigma": [-1]})", "'sigma'");
  expect_input_error(R"({"J": 1, "y": [1], "sigma": [0]})", "'sigma'");
}

TEST(EightSchoolsData, AMissingFileIsAnInputError) {
  EXPECT_THROW(load_eight_schools_data("/nonexistent/eight_schools.json"), InputError);
}

}  // namespace
}  // namespace stochos::cli
