// Temporary folders for tests, removed when the test program ends.
//
// Tests write scenarios, traces and histories into folders under /tmp. Left
// behind, every `make test` added about 700 of them (traces included, some
// megabytes each) to the machine's /tmp. Each folder is now removed, with
// what is in it, when the process that made it exits normally. A child
// forked by the runner (cli::run_in_children) ends with _exit and runs no
// destructors; and a folder is only removed by the process that made it,
// so a child that does exit normally cannot delete its parent's folders.
// FAULTLAB_KEEP_TEST_DIRS=1 keeps them, to look at after a failure.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace faultlab::testing {

class TempDirs {
public:
  TempDirs() = default;
  TempDirs(const TempDirs&) = delete;
  TempDirs& operator=(const TempDirs&) = delete;
  ~TempDirs() {
    const char* keep = std::getenv("FAULTLAB_KEEP_TEST_DIRS");
    if (keep != nullptr && std::string(keep) == "1") return;
    for (const auto& [pid, path] : made_)
      if (pid == ::getpid()) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
  }

  std::string make() {
    char name[] = "/tmp/faultlab-test-XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    made_.emplace_back(::getpid(), name);
    return name;
  }

private:
  std::vector<std::pair<pid_t, std::string>> made_;
};

// One list per test program (an inline function's static is shared by
// every file that includes this header).
inline TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

// A fresh temporary folder for one test.
inline std::string temp_dir() { return temp_dirs().make(); }

} // namespace faultlab::testing
