// faultlab-bench-lin: how fast is the linearizability checker, and how much
// memory does it take?
//
// Each case generates a history from a simulated correct (linearizable) store:
// processes issue sequential reads, writes and cas on random keys; each op
// takes effect at a random instant inside its interval, and results are
// computed in that order, so every case must come out "linearizable". A few
// ops time out (info: taking effect or not, and the process is replaced by a
// new one, as in Jepsen). Some cases then get one corrupted read, to time the
// search when it has to prove a violation. Some cases write only the values
// 0-4, as Jepsen's register tests do, so reads pin down much less.
//
// Every case runs in its own child process so its peak RSS (getrusage) is its
// own. Prints one table; `--quick` skips the 100k-op and hardest cases,
// `--only TEXT` runs the cases whose name contains TEXT.
#include "check/linearizable.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using faultlab::check::check_linearizability;
using faultlab::check::LinearizabilityBudget;
using faultlab::check::LinResult;
using faultlab::check::LinVerdict;
using faultlab::check::Model;
using faultlab::history::History;
using faultlab::history::kNever;
using faultlab::history::Op;
using faultlab::history::Outcome;

namespace {

struct Case {
  const char* name;
  std::size_t ops;
  std::size_t keys;
  std::size_t processes; // at any time
  double info_rate;      // share of ops that time out
  std::size_t repeat;    // independent histories checked one after another
  bool corrupt;          // one read changed to a value no order explains
  bool quick;            // part of --quick
  std::int64_t values = 0; // writes pick from this many values (Jepsen: 5); 0: every write is unique
};

History generate(const Case& c, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::exponential_distribution<double> latency(1.0 / 0.010), think(1.0 / 0.005);
  struct Pending {
    Op op;
    double effect_s;
    bool takes_effect;
  };
  std::vector<Pending> pending;
  pending.reserve(c.ops);
  std::vector<double> free_at(c.processes, 0.0);
  std::vector<std::int64_t> process_id(c.processes);
  for (std::size_t p = 0; p < c.processes; ++p) process_id[p] = static_cast<std::int64_t>(p);
  std::int64_t next_process = static_cast<std::int64_t>(c.processes), next_value = 1;
  for (std::size_t i = 0; i < c.ops; ++i) {
    // The process that is free first issues the next op.
    const auto slot = static_cast<std::size_t>(std::min_element(free_at.begin(), free_at.end()) - free_at.begin());
    Op op;
    op.id = static_cast<std::int64_t>(i);
    op.process = process_id[slot];
    op.key = "k" + std::to_string(rng() % c.keys);
    const double dice = unit(rng);
    op.f = dice < 0.5 ? "read" : dice < 0.8 ? "write" : "cas";
    if (c.values > 0) {
      if (op.f != "read") op.value = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(c.values));
      if (op.f == "cas") op.expected = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(c.values));
    } else {
      if (op.f != "read") op.value = next_value++;
      if (op.f == "cas") op.expected = next_value - 1 - static_cast<std::int64_t>(rng() % 4);
    }
    op.invoke_s = free_at[slot] + think(rng);
    op.complete_s = op.invoke_s + latency(rng);
    const double effect_s = op.invoke_s + unit(rng) * (op.complete_s - op.invoke_s);
    op.outcome = unit(rng) < c.info_rate ? Outcome::info : Outcome::ok;
    const bool takes_effect = op.outcome == Outcome::ok || unit(rng) < 0.5;
    free_at[slot] = op.complete_s;
    if (op.outcome == Outcome::info) {
      op.complete_s = kNever;
      process_id[slot] = next_process++; // Jepsen: a process that timed out is replaced
    }
    pending.push_back({op, effect_s, takes_effect});
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.effect_s < b.effect_s; });
  std::map<std::string, std::optional<std::int64_t>> state;
  History history;
  history.ops.reserve(pending.size());
  for (Pending& p : pending) {
    Op& op = p.op;
    auto& current = state[op.key];
    if (op.f == "read") {
      op.value = current;
    } else if (op.f == "write") {
      if (p.takes_effect) current = op.value;
    } else if (current != op.expected) {
      if (op.outcome == Outcome::ok) op.outcome = Outcome::fail;
    } else if (p.takes_effect) {
      current = op.value;
    }
    history.ops.push_back(op);
  }
  std::sort(history.ops.begin(), history.ops.end(), [](const Op& a, const Op& b) {
    return a.invoke_s != b.invoke_s ? a.invoke_s < b.invoke_s : a.id < b.id;
  });
  if (c.corrupt) {
    // A read of k0 late in the history returns k0's first acknowledged value,
    // though another write of k0 began after that one was acknowledged and
    // ended before the read began. Values are unique, so no order explains it.
    const Op* first = nullptr;
    const Op* second = nullptr;
    for (Op& op : history.ops) {
      if (op.key != "k0" || op.outcome != Outcome::ok) continue;
      if (first == nullptr && op.is_write()) {
        first = &op;
      } else if (first != nullptr && second == nullptr && op.is_write() && op.invoke_s > first->complete_s) {
        second = &op;
      } else if (second != nullptr && op.is_read() && op.invoke_s > second->complete_s &&
                 &op >= &history.ops[history.ops.size() / 2]) {
        op.value = first->value;
        break;
      }
    }
  }
  return history;
}

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

const char* verdict_name(LinVerdict verdict) {
  switch (verdict) {
  case LinVerdict::linearizable:
    return "linearizable";
  case LinVerdict::not_linearizable:
    return "NOT linearizable";
  case LinVerdict::unknown:
    return "unknown";
  }
  return "?";
}

// Runs in the child: prints one row.
void run_case(const Case& c, double budget_s) {
  std::vector<History> histories;
  for (std::size_t r = 0; r < c.repeat; ++r) histories.push_back(generate(c, static_cast<std::uint32_t>(7 + r)));
  const long before_kib = peak_rss_kib();
  LinearizabilityBudget budget;
  budget.time_s = budget_s;
  std::size_t states = 0, violations = 0;
  LinVerdict worst = LinVerdict::linearizable;
  std::string reason;
  const auto started = std::chrono::steady_clock::now();
  for (const History& history : histories) {
    const LinResult result = check_linearizability(history, Model::kv, budget);
    states += result.states_explored;
    violations += result.violations.size();
    if (result.verdict != LinVerdict::linearizable && worst != LinVerdict::unknown) worst = result.verdict;
    if (!result.reason.empty()) reason = result.reason;
  }
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const long after_kib = peak_rss_kib();
  std::printf("%-30s %8zu %6zu %5zu %4zu %-17s %9.3f %11zu %9.1f %9.1f\n", c.name, c.ops * c.repeat, c.keys,
              c.processes, c.repeat, verdict_name(worst), took_s, states, static_cast<double>(after_kib) / 1024.0,
              static_cast<double>(after_kib - before_kib) / 1024.0);
  if (!reason.empty()) std::printf("    (%s)\n", reason.c_str());
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  bool quick = false;
  double budget_s = 60;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (std::strcmp(argv[i], "--budget-s") == 0 && i + 1 < argc) {
      budget_s = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: faultlab-bench-lin [--quick] [--budget-s N] [--only TEXT]\n");
      return 2;
    }
  }
  const std::vector<Case> cases = {
      {"1k ops, 4 keys", 1'000, 4, 10, 0.02, 1, false, true},
      {"10k ops, 4 keys", 10'000, 4, 10, 0.02, 1, false, true},
      {"100k ops, 4 keys", 100'000, 4, 10, 0.02, 1, false, false},
      {"1k ops, 100 keys", 1'000, 100, 10, 0.02, 1, false, true},
      {"10k ops, 1000 keys", 10'000, 1'000, 10, 0.02, 1, false, true},
      {"100k ops, 10000 keys", 100'000, 10'000, 10, 0.02, 1, false, false},
      {"100k ops, 1 key, 10 procs", 100'000, 1, 10, 0.02, 1, false, false},
      {"10k ops, 4 keys, 1 bad read", 10'000, 4, 10, 0.02, 1, true, true},
      {"100 etcd-like x 300 ops", 300, 1, 5, 0.10, 100, false, true},
      {"hard: 1 key, 30 procs", 2'000, 1, 30, 0.05, 1, false, true},
      {"hard: 1 key, 100 procs", 2'000, 1, 100, 0.05, 1, false, false},
      {"hard: 1 key, 30 procs, bad", 2'000, 1, 30, 0.05, 1, true, false},
      {"100 etcd-like x 300, values 0-4", 300, 1, 5, 0.10, 100, false, true, 5},
      {"10k ops, 1 key, 10 procs, 0-4", 10'000, 1, 10, 0.02, 1, false, true, 5},
      {"100k ops, 1 key, 10 procs, 0-4", 100'000, 1, 10, 0.02, 1, false, false, 5},
      {"hard: 1 key, 30 procs, 0-4", 2'000, 1, 30, 0.05, 1, false, false, 5},
      {"hard: 1 key, 100 procs, 0-4", 2'000, 1, 100, 0.05, 1, false, false, 5},
  };
  std::printf("%-30s %8s %6s %5s %4s %-17s %9s %11s %9s %9s\n", "case", "ops", "keys", "procs", "runs", "verdict",
              "time_s", "states", "peak_MiB", "check_MiB");
  std::fflush(stdout);
  for (const Case& c : cases) {
    if (quick && !c.quick) continue;
    if (!only.empty() && std::string(c.name).find(only) == std::string::npos) continue;
    const pid_t child = ::fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) {
      run_case(c, budget_s);
      std::_Exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::printf("%-30s (the child failed)\n", c.name);
  }
  return 0;
}
