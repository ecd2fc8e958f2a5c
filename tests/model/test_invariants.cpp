// A violated model invariant stops the run loudly: what broke, the seed and
// the command that reproduces it, then an abort (never a quiet wrong result).
#include "../support/run_support.hpp"
#include "model/invariant.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

TEST_CASE("a violated invariant aborts, naming what broke, the seed and the reproduce command") {
  const std::string err = faultlab::testing::temp_dir() + "/stderr.txt";
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (std::freopen(err.c_str(), "w", stderr) == nullptr) ::_exit(3);
    faultlab::model::set_invariant_context("seed 7; reproduce: ./faultlab run scenarios/x.json --variant broken --seed 7");
    const long applied = 5, log_end = 4;
    FAULTLAB_INVARIANT(applied <= log_end, "db-2 applied past the end of its log");
    ::_exit(0); // not reached
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  const std::string text = faultlab::testing::read_text(err);
  INFO(text);
  CHECK(text.rfind("faultlab: model invariant violated: db-2 applied past the end of its log\n", 0) == 0);
  CHECK(text.find("(applied <= log_end, at ") != std::string::npos);
  CHECK(text.find("  run: seed 7; reproduce: ./faultlab run scenarios/x.json --variant broken --seed 7\n") !=
        std::string::npos);
}

TEST_CASE("an invariant that holds costs nothing and says nothing") {
  int evaluated = 0;
  auto what = [&] {
    ++evaluated;
    return std::string("never built");
  };
  FAULTLAB_INVARIANT(1 + 1 == 2, what());
  CHECK(evaluated == 0);
}
