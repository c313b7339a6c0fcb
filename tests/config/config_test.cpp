// Configuration precedence (SPEC.md §1.4): flag > env > file > default, each value's source
// reported, the file written with defaults on first use and never overwritten, and every bad
// value an InputError naming its source and the valid choices.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "backends/config.hpp"
#include "stochos/error.hpp"

namespace stochos::backends {
namespace {

namespace fs = std::filesystem;

// A fresh STOCHOS_HOME per test and an environment the test writes.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("stochos-config-test-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(home_);
    env_["STOCHOS_HOME"] = home_.string();
  }
  void TearDown() override { fs::remove_all(home_); }

  EnvReader env() const {
    return [vars = env_](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
  fs::path file() const { return home_ / "stochos.json"; }
  void write_file(const std::string& text) const {
    fs::create_directories(home_);
    std::ofstream(file()) << text;
  }
  std::string read_file() const {
    std::ifstream in(file());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The message of the InputError that load_config throws.
  std::string error(const ConfigOverrides& flags = {}) const {
    try {
      load_config(flags, env());
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path home_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, FirstUseWritesTheDefaultsAndReportsTheFile) {
  const Config c = load_config({}, env());
  EXPECT_TRUE(c.wrote_defaults);
  EXPECT_EQ(c.file, file().string());
  ASSERT_TRUE(fs::exists(file()));
  EXPECT_NE(read_file().find("\"backend\": \"native\""), std::string::npos);
  EXPECT_NE(read_file().find("\"floatx\": \"float64\""), std::string::npos);
  EXPECT_NE(read_file().find("\"device\": \"cpu\""), std::string::npos);
  EXPECT_EQ(c.backend.value, "native");
  EXPECT_EQ(c.floatx.value, "float64");
  EXPECT_EQ(c.device.value, "cpu");
  // The second use reads the file it wrote.
  const Config again = load_config({}, env());
  EXPECT_FALSE(again.wrote_defaults);
  EXPECT_EQ(again.floatx.source, "file");
}

TEST_F(ConfigTest, AFileThatExistsIsReadAndNeverRewritten) {
  const std::string text = "{\"floatx\": \"float32\"}\n";
  write_file(text);
  const Config c = load_config({}, env());
  EXPECT_FALSE(c.wrote_defaults);
  EXPECT_EQ(c.floatx.value, "float32");
  EXPECT_EQ(c.floatx.source, "file");
  EXPECT_EQ(c.backend.value, "native");  // keys the file leaves out take the defaults
  EXPECT_EQ(c.backend.source, "default");
  EXPECT_EQ(read_file(), text);
}

TEST_F(ConfigTest, FlagBeatsEnvBeatsFileBeatsDefault) {
  write_file("{\"floatx\": \"float32\", \"device\": \"cpu\"}");
  env_["STOCHOS_FLOATX"] = "float64";
  Config c = load_config({}, env());
  EXPECT_EQ(c.floatx.value, "float64");
  EXPECT_EQ(c.floatx.source, "env STOCHOS_FLOATX");
  EXPECT_EQ(c.device.source, "file");
  EXPECT_EQ(c.backend.source, "default");

  ConfigOverrides flags;
  flags.floatx = "float32";
  flags.backend = "native";
  c = load_config(flags, env());
  EXPECT_EQ(c.floatx.value, "float32");
  EXPECT_EQ(c.floatx.source, "flag");
  EXPECT_EQ(c.backend.source, "flag");
  EXPECT_EQ(configured_backend(c).name(), "native");
  EXPECT_EQ(configured_options(c).device, "cpu");
  EXPECT_EQ(floatx_dtype(c.floatx.value), graph::DType::f32);
}

TEST_F(ConfigTest, UnknownBackendNamesItsSourceAndTheChoices) {
  env_["STOCHOS_BACKEND"] = "jax";
  const std::string e = error();
  EXPECT_NE(e.find("'jax'"), std::string::npos) << e;
  EXPECT_NE(e.find("env STOCHOS_BACKEND"), std::string::npos) << e;
  EXPECT_NE(e.find("valid: native"), std::string::npos) << e;
  env_.erase("STOCHOS_BACKEND");
  ConfigOverrides flags;
  flags.backend = "nope";
  EXPECT_NE(error(flags).find("from flag"), std::string::npos);
}

TEST_F(ConfigTest, BadValuesInTheFileAreErrorsEvenWhenOverridden) {
  write_file("{\"floatx\": \"float16\"}");
  ConfigOverrides flags;
  flags.floatx = "float64";
  const std::string e = error(flags);
  EXPECT_NE(e.find("'float16'"), std::string::npos) << e;
  EXPECT_NE(e.find(file().string()), std::string::npos) << e;
  EXPECT_NE(e.find("valid: float64, float32"), std::string::npos) << e;
}

TEST_F(ConfigTest, UnknownKeysNonStringsAndBrokenJsonAreErrors) {
  write_file("{\"backnd\": \"native\"}");
  EXPECT_NE(error().find("key 'backnd'"), std::string::npos);
  EXPECT_NE(error().find("valid: backend, floatx, device"), std::string::npos);
  write_file("{\"backend\": 3}");
  EXPECT_NE(error().find("must be a string"), std::string::npos);
  write_file("{\"backend\": ");
  EXPECT_NE(error().find("invalid JSON"), std::string::npos);
  write_file("[\"native\"]");
  EXPECT_NE(error().find("expected a JSON object"), std::string::npos);
  write_file("");
  EXPECT_NE(error().find("invalid JSON"), std::string::npos);
}

TEST_F(ConfigTest, DevicesAreCheckedAgainstTheChosenBackend) {
  env_["STOCHOS_DEVICE"] = "cuda:0";
  std::string e = error();
  EXPECT_NE(e.find("not available on backend native"), std::string::npos) << e;
  EXPECT_NE(e.find("valid: cpu"), std::string::npos) << e;
  env_["STOCHOS_DEVICE"] = "gpu";
  e = error();
  EXPECT_NE(e.find("is not a device"), std::string::npos) << e;
}

TEST_F(ConfigTest, EmptyVariablesAreErrorsNotSilentlyIgnored) {
  env_["STOCHOS_BACKEND"] = "";
  EXPECT_NE(error().find("env STOCHOS_BACKEND is empty"), std::string::npos);
  env_.erase("STOCHOS_BACKEND");
  env_["STOCHOS_HOME"] = "";
  EXPECT_NE(error().find("STOCHOS_HOME is empty"), std::string::npos);
}

TEST_F(ConfigTest, HomeFallsBackToDotStochosAndAnUnwritableFolderIsNoError) {
  env_.erase("STOCHOS_HOME");
  env_["HOME"] = home_.string();
  Config c = load_config({}, env());
  EXPECT_EQ(c.file, (home_ / ".stochos" / "stochos.json").string());
  EXPECT_TRUE(fs::exists(c.file));
  // A folder that cannot be created: defaults, nothing written, no error.
  env_["STOCHOS_HOME"] = "/proc/stochos-cannot-exist";
  c = load_config({}, env());
  EXPECT_FALSE(c.wrote_defaults);
  EXPECT_EQ(c.backend.source, "default");
  // Neither variable: no file at all.
  env_.erase("STOCHOS_HOME");
  env_.erase("HOME");
  c = load_config({}, env());
  EXPECT_TRUE(c.file.empty());
  EXPECT_EQ(c.device.value, "cpu");
}

}  // namespace
}  // namespace stochos::backends
