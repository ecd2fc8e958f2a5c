// faultlab-bench-files: the in-process cost of checking EDN history files,
// for bench/linearizability/porcupine_side_by_side.sh, which sets it beside
// Porcupine's CheckEvents on the same histories (also in one process, parse
// excluded). Start-up is not in these figures; the script times that apart.
//
//   faultlab-bench-files [--repeat N] [--knossos] MODEL FILE...
//
// One line per file: the file, the verdict (linearizable / not-linearizable /
// unknown), seconds to read and parse it, and the fastest of N checks in
// seconds (each check is what `faultlab check` does after parsing).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "check/linearizable.hpp"
#include "history/edn.hpp"

using namespace faultlab;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int repeat = 5;
  bool knossos = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--knossos") == 0) {
      knossos = true;
    } else {
      args.emplace_back(argv[i]);
    }
  }
  const std::optional<check::Model> model = args.empty() ? std::nullopt : check::model_from_string(args[0]);
  if (!model || args.size() < 2 || repeat < 1) {
    std::fprintf(stderr, "usage: faultlab-bench-files [--repeat N] [--knossos] MODEL FILE...\n");
    return 2;
  }
  check::RegisterSemantics semantics;
  if (knossos) semantics = {0, check::NilRead::unknown};
  for (std::size_t i = 1; i < args.size(); ++i) {
    try {
      const Clock::time_point start = Clock::now();
      const history::History history = history::read_edn_history(args[i], *model == check::Model::kv);
      const double parse_s = std::chrono::duration<double>(Clock::now() - start).count();
      double best_s = 1e300;
      check::LinVerdict verdict = check::LinVerdict::unknown;
      for (int r = 0; r < repeat; ++r) {
        const Clock::time_point t0 = Clock::now();
        const check::LinResult result = check::check_linearizability(history, *model, {}, semantics);
        best_s = std::min(best_s, std::chrono::duration<double>(Clock::now() - t0).count());
        verdict = result.verdict;
      }
      const char* word = verdict == check::LinVerdict::linearizable       ? "linearizable"
                         : verdict == check::LinVerdict::not_linearizable ? "not-linearizable"
                                                                          : "unknown";
      std::printf("%s %s %.6f %.6f\n", args[i].c_str(), word, parse_s, best_s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", args[i].c_str(), e.what());
      return 2;
    }
  }
  return 0;
}
