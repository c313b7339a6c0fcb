// The main of every test program: GoogleTest's, after giving the process a configuration of its
// own. Whatever the machine's user has set (STOCHOS_BACKEND=torch in a shell profile, a
// ~/.stochos/stochos.json with float32, an unwritable or absent $HOME), the suites see the
// defaults: STOCHOS_HOME is a folder of the tests' own and the STOCHOS_* overrides are gone.
// STOCHOS_TEST_BACKEND stays: it is how CTest runs a suite again on another engine. Fixtures that
// need a home of their own still set one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  const auto home =
      std::filesystem::temp_directory_path() / ("stochos-test-home-" + std::to_string(::getuid()));
  ::setenv("STOCHOS_HOME", home.c_str(), 1);
  for (const char* name : {"STOCHOS_BACKEND", "STOCHOS_FLOATX", "STOCHOS_DEVICE"}) ::unsetenv(name);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
