// The test runner for tests that load scenarios: the component types are
// registered first, as faultlab's own main() does.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "components/builtin.hpp"

int main(int argc, char* argv[]) {
  faultlab::components::register_builtin();
  return Catch::Session().run(argc, argv);
}
