// faultlab-bench: how fast is faultlab compared with SimGrid doing the bare
// minimum of the same work?
//
//   1. raw: two hosts and one 1 ms / 1 Gbps link (the platform faultlab
//      builds, CM02), a server actor with a permanent receiver on its
//      mailbox, and clients shaped like faultlab's (sim/model/client.cpp):
//      open-loop Poisson arrivals, one actor per request, a pooled reply
//      mailbox per request slot, each reply awaited with a timeout. 1 KiB
//      messages. Optionally the server executes a service time per request,
//      as faultlab's replica group does.
//   2. faultlab: `faultlab run SCENARIO --variant broken --seed 1 --trace FILE`
//      scaled up with --set overrides, through cli::run_checked (simulate,
//      check, explain the violations, write the trace). Then, unless
//      --no-breakdown, the same run
//      with its phases timed one by one, and the same run without a trace.
//   3. Messages per wall-clock second of both and their ratio, peak memory.
//
// SimGrid allows one engine per process, so every part runs in its own child
// (cli::run_in_children) and reports its own numbers, peak RSS included.
// Part 1 is in raw_simgrid.cpp, the helpers both use in bench_util.hpp.
#include "causality/causality.hpp"
#include "causality/evidence.hpp"
#include "cli/outcome.hpp"
#include "cli/runner.hpp"
#include "components/builtin.hpp"
#include "components/replica_group/spec.hpp"
#include "history/json_line.hpp"
#include "history/trace_writer.hpp"
#include "model/simulation.hpp"
#include "scenario/loader.hpp"
#include "util/rng.hpp"

#include "bench_util.hpp"
#include "raw_simgrid.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sg4 = simgrid::s4u;
namespace fs = std::filesystem;

using namespace faultlab::bench;

namespace {


// ---------------------------------------------------------------- part 2: faultlab

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

Json describe_run(const Json& summary, double wall, double cpu) {
  Json out;
  const double sent = summary["messages"]["sent"].get<double>();
  const double ops = summary["ops"]["total"].get<double>();
  out["ops"] = summary["ops"];
  out["final_reads"] = summary["final_reads"];
  out["messages"] = summary["messages"];
  out["counts"] = summary["counts"];
  out["sim_time_s"] = summary["sim_time_s"];
  out["wall_s"] = wall;
  out["cpu_s"] = cpu;
  out["msgs_per_s"] = per_second(sent, wall);
  out["msgs_per_cpu_s"] = per_second(sent, cpu);
  out["ops_per_s"] = per_second(ops, wall);
  return out;
}

// Exactly what `faultlab run ... --trace FILE` does after loading.
Json faultlab_checked(const faultlab::scenario::Scenario& scenario, const faultlab::cli::RunRequest& request) {
  const double started = wall_now();
  const double cpu_started = cpu_now();
  faultlab::cli::CheckedRun run = faultlab::cli::run_checked(scenario, request);
  const double wall = wall_now() - started;
  Json out = describe_run(run.summary, wall, cpu_now() - cpu_started);
  out["traced"] = !request.trace_path.empty();
  if (!request.trace_path.empty()) out["trace_bytes"] = file_size_or_zero(request.trace_path);
  out["max_rss_kib"] = max_rss_kib();
  return out;
}

// The steps of cli::run_checked (sim/cli/runner.cpp), timed one by one:
// simulate (with message events recorded, as with --trace), check (metrics,
// checkers, summary), explain (the causes of every violation), and trace
// writing (violation events, sort, format, write the file). Keep in step
// with run_checked (it also computes recovery, which replica-lag, with no
// faults, skips).
Json faultlab_phases(const faultlab::scenario::Scenario& scenario, const faultlab::cli::RunRequest& request) {
  namespace cli = faultlab::cli;
  namespace history = faultlab::history;
  const double t0 = wall_now();
  faultlab::model::RunOptions options;
  options.seed = request.seed;
  options.record_messages = true;
  options.simgrid_flags = request.simgrid_flags;
  faultlab::model::RunOutput out = faultlab::model::simulate(scenario, options);
  const double t1 = wall_now();

  cli::Metrics metrics = cli::compute_metrics(out.history);
  std::vector<faultlab::check::Violation> violations = cli::run_checks(scenario, out.history);
  Json messages = {
      {"sent", out.messages_sent}, {"delivered", out.messages_delivered}, {"dropped", out.messages_dropped}};
  Json summary = cli::make_summary(scenario, request.seed, out.sim_time_s, metrics, violations, messages);
  const double t2 = wall_now();

  // Explaining every violation (what run_checked does when it writes a
  // trace or prints causes): an index of the trace, then one story each.
  std::set<std::int64_t> wanted;
  for (const auto& v : violations) wanted.insert(v.ops.begin(), v.ops.end());
  const Json header = Json::parse(cli::trace_header(scenario, request.seed, history::kTraceFormat).dump());
  faultlab::causality::Evidence evidence(header, out.history, std::move(wanted));
  out.trace->for_each_in_order([&](double t, const std::string& line) { evidence.add_line(t, line); });
  std::vector<std::string> causes;
  causes.reserve(violations.size());
  for (const auto& v : violations)
    causes.push_back(faultlab::causality::to_json(faultlab::causality::explain(v, evidence)).dump());
  const double t_explained = wall_now();

  for (std::size_t k = 0; k < violations.size(); ++k) {
    const auto& v = violations[k];
    std::string ops = "[";
    for (std::size_t i = 0; i < v.ops.size(); ++i) ops += (i ? "," : "") + std::to_string(v.ops[i]);
    ops += "]";
    out.trace->add(v.time_s, history::JsonLine(v.time_s, "violation")
                                 .str("check", v.check)
                                 .raw("ops", ops)
                                 .str("message", v.message)
                                 .raw("cause", causes[k])
                                 .done());
  }
  Json end = {{"t", out.sim_time_s},
              {"ev", "end"},
              {"ops", summary["ops"]},
              {"counts", summary["counts"]},
              {"messages", messages}};
  out.trace->write_file(request.trace_path, cli::trace_header(scenario, request.seed, history::kTraceFormat), end);
  const double t3 = wall_now();

  Json result;
  result["simulate_s"] = t1 - t0;
  result["check_s"] = t2 - t1;
  result["explain_s"] = t_explained - t2;
  result["write_trace_s"] = t3 - t_explained;
  result["total_s"] = t3 - t0;
  result["trace_events"] = out.trace->size();
  result["trace_bytes"] = file_size_or_zero(request.trace_path);
  result["messages_sent"] = out.messages_sent;
  result["max_rss_kib"] = max_rss_kib();
  return result;
}

// ---------------------------------------------------------------- driver

struct ChildOutcome {
  bool ok = false;
  Json data;
  std::string error;
};

ChildOutcome in_child(const std::function<Json()>& task) {
  auto results = faultlab::cli::run_in_children({[&task] { return task().dump(); }}, 1);
  ChildOutcome outcome;
  const auto& r = results.front();
  if (!r.ok) {
    outcome.error = r.output.empty() ? "error: the child failed" : r.output;
    return outcome;
  }
  try {
    outcome.data = Json::parse(r.output);
    outcome.ok = true;
  } catch (const std::exception& e) {
    outcome.error = std::string("error: unreadable child output: ") + e.what();
  }
  return outcome;
}

double num(const Json& j, const char* key) { return j.at(key).get<double>(); }

// Runs `task` in `repeats` children one after another and keeps the fastest
// (the machine is shared: the best run is the least disturbed one). Every
// run's rate is kept in "samples_msgs_per_s".
ChildOutcome best_of(int repeats, const std::function<Json()>& task) {
  ChildOutcome best;
  Json samples = Json::array();
  for (int i = 0; i < std::max(1, repeats); ++i) {
    ChildOutcome run = in_child(task);
    if (!run.ok) return run;
    samples.push_back(run.data["msgs_per_s"]);
    if (!best.ok || num(run.data, "wall_s") < num(best.data, "wall_s")) best = std::move(run);
  }
  best.data["repeats"] = samples.size();
  best.data["samples_msgs_per_s"] = samples;
  return best;
}

void print_samples(const Json& r) {
  if (!r.contains("repeats") || r["repeats"].get<int>() < 2) return;
  std::cout << "      fastest of " << r["repeats"].get<int>() << " runs; msgs/s per run:";
  for (const auto& sample : r["samples_msgs_per_s"]) std::cout << " " << grouped(sample.get<double>());
  std::cout << "\n";
}

void print_raw(const char* label, const Json& r) {
  std::cout << "  " << label << ": " << grouped(num(r, "requests")) << " requests, "
            << grouped(num(r, "messages_sent")) << " messages, " << fixed(num(r, "sim_time_s"), 1)
            << " s simulated in " << fixed(num(r, "wall_s"), 2) << " s wall (cpu " << fixed(num(r, "cpu_s"), 2)
            << " s)\n"
            << "      " << grouped(num(r, "msgs_per_s")) << " msgs/s, " << grouped(num(r, "requests_per_s"))
            << " requests/s, " << grouped(num(r, "timeouts")) << " timeouts, peak RSS "
            << mib(num(r, "max_rss_kib")) << "\n";
  print_samples(r);
}

} // namespace

int main(int argc, char** argv) {
  faultlab::components::register_builtin();
  CLI::App app{"faultlab-bench: raw SimGrid request/response vs a traced, checked faultlab run"};
  std::string scenario_path = "scenarios/replica-lag.json";
  std::string variant = "broken";
  std::uint64_t seed = 1;
  double rate = 2000;
  std::string duration = "20s";
  std::int64_t raw_requests = 100000;
  std::vector<std::string> sets;
  std::vector<std::string> cfgs;
  std::string json_path;
  std::string keep_trace;
  bool quick = false;
  bool no_breakdown = false;
  bool no_malloc_prime = false;
  int repeats = 3;
  app.add_option("scenario", scenario_path, "Scenario file (default: scenarios/replica-lag.json, from the current directory)");
  app.add_flag("--quick", quick, "Small sizes: a few seconds in all");
  app.add_option("--json", json_path, "Write the numbers here (JSON)");
  app.add_option("--variant", variant, "Scenario variant (default: broken)");
  app.add_option("--seed", seed, "Seed for both parts (default: 1)");
  app.add_option("--rate", rate, "Arrivals per second, both parts (default: 2000)");
  app.add_option("--duration", duration, "faultlab workload.duration (default: 20s; --quick: 2s)");
  app.add_option("--raw-requests", raw_requests, "Requests in the raw part (default: 100000; --quick: 10000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--set", sets, "Extra scenario override PATH=VALUE, applied after the bench's own (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--cfg", cfgs, "Extra SimGrid flag for both parts, e.g. --cfg=contexts/guard-size:0 (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--trace", keep_trace, "Keep the faultlab trace here (default: a temporary file, removed)");
  app.add_flag("--no-breakdown", no_breakdown, "Skip the phase timing and the untraced faultlab runs");
  app.add_option("--repeat", repeats, "Runs of the two headline parts, the fastest kept (default: 3; --quick: 1)")
      ->check(CLI::Range(1, 100));
  app.add_flag("--no-malloc-prime", no_malloc_prime,
               "Raw part: leave glibc's mmap threshold at its start value (every actor stack is then an mmap/munmap)");
  CLI11_PARSE(app, argc, argv);

  if (quick) {
    if (app.count("--duration") == 0) duration = "2s";
    if (app.count("--raw-requests") == 0) raw_requests = 10000;
    if (app.count("--repeat") == 0) repeats = 1;
  }
  std::vector<std::string> simgrid_flags;
  for (const auto& c : cfgs) simgrid_flags.push_back(c.rfind("--", 0) == 0 ? c : "--cfg=" + c);

  // Load the scenario here (no SimGrid involved), so bad input stops us early.
  if (!fs::exists(scenario_path)) {
    std::cerr << "faultlab-bench: scenario file not found: " << scenario_path << "\n"
              << "  run from the repository root (make bench does), or pass the path: faultlab-bench PATH/replica-lag.json\n";
    return 2;
  }
  faultlab::scenario::LoadOptions load;
  load.variant = variant;
  load.sets = {"workload.clients.users.arrival.rate_per_s=" + fixed(rate, 6), "workload.duration=" + duration};
  for (const auto& s : sets) load.sets.push_back(s);
  faultlab::scenario::Scenario scenario;
  try {
    scenario = faultlab::scenario::load_scenario(scenario_path, load);
  } catch (const std::exception& e) {
    std::cerr << "faultlab-bench: " << e.what() << "\n";
    return 2;
  }

  char temp_template[] = "/tmp/faultlab-bench-XXXXXX";
  const char* temp_dir = ::mkdtemp(temp_template);
  if (temp_dir == nullptr) {
    std::cerr << "faultlab-bench: cannot create a temporary directory in /tmp\n";
    return 2;
  }
  const std::string trace_path = keep_trace.empty() ? std::string(temp_dir) + "/trace.jsonl" : keep_trace;
  const std::string scratch_trace = std::string(temp_dir) + "/phases.jsonl";

  Json report;
  report["simgrid"] = std::to_string(SIMGRID_VERSION_MAJOR) + "." + std::to_string(SIMGRID_VERSION_MINOR) + "." +
                      std::to_string(SIMGRID_VERSION_PATCH);
  report["quick"] = quick;
  report["parent_max_rss_kib"] = max_rss_kib();
  report["cpus"] = std::thread::hardware_concurrency();
  report["load_average_start"] = load_average();
  bool failed = false;

  std::cout << "faultlab-bench: SimGrid " << report["simgrid"].get<std::string>()
            << ", CM02, 1 ms / 1 Gbps link, 1 KiB messages, seed " << seed << (quick ? ", quick" : "") << "\n\n";

  // ---- 1. raw SimGrid
  RawOptions raw;
  raw.requests = raw_requests;
  raw.rate_per_s = rate;
  raw.seed = seed;
  raw.extra_flags = simgrid_flags;
  raw.prime_malloc = !no_malloc_prime;
  std::cout << "[1] raw SimGrid request/response: open-loop Poisson arrivals at " << grouped(rate)
            << "/s, one actor per request, pooled reply mailboxes, 1 s timeout\n"
            << std::flush;
  ChildOutcome raw_plain = best_of(repeats, [&] { return run_raw_simgrid(raw); });
  if (raw_plain.ok) {
    print_raw("bare", raw_plain.data);
    report["raw"] = raw_plain.data;
  } else {
    std::cout << "  bare: " << raw_plain.error << "\n";
    failed = true;
  }
  const auto groups = scenario.components_of<faultlab::scenario::ReplicaGroup>();
  if (!no_breakdown && !groups.empty()) {
    RawOptions with_service = raw;
    with_service.service_s = groups.front()->service_time_s;
    ChildOutcome r = in_child([&] { return run_raw_simgrid(with_service); });
    if (r.ok) {
      print_raw(("+ " + fixed(with_service.service_s * 1e6, 0) + " us execute per request").c_str(), r.data);
      report["raw_with_service"] = r.data;
      report["raw_with_service"]["service_s"] = with_service.service_s;
    } else {
      std::cout << "  with service time: " << r.error << "\n";
    }
  }
  ChildOutcome closed_loop;
  if (!no_breakdown) {
    // What the actor per request costs: the same exchanges from one
    // long-lived client actor, one at a time. Issue 13's goal is measured
    // against it, so it is repeated like the headline parts.
    RawOptions closed = raw;
    closed.closed_loop = true;
    closed_loop = best_of(repeats, [&] { return run_raw_simgrid(closed); });
    if (closed_loop.ok) {
      print_raw("closed loop, one client actor (no actor per request)", closed_loop.data);
      report["raw_closed_loop"] = closed_loop.data;
    } else {
      std::cout << "  closed loop: " << closed_loop.error << "\n";
    }
  }

  // ---- 2. faultlab
  faultlab::cli::RunRequest request;
  request.seed = seed;
  request.trace_path = trace_path;
  request.simgrid_flags = simgrid_flags;
  std::cout << "\n[2] faultlab run " << scenario_path << " --variant " << variant << " --seed " << seed
            << " --trace, rate " << grouped(rate) << "/s, duration " << duration << "\n"
            << std::flush;
  // Traces are removed by the child that wrote them (unless kept), so an
  // interrupted bench leaves at most an empty directory behind.
  auto drop_scratch = [&](const std::string& path) {
    std::error_code ignored_error;
    if (path != keep_trace) fs::remove(path, ignored_error);
  };
  ChildOutcome untraced; // with the breakdown
  ChildOutcome traced = best_of(repeats, [&] {
    Json result = faultlab_checked(scenario, request);
    drop_scratch(request.trace_path);
    return result;
  });
  if (traced.ok) {
    const Json& f = traced.data;
    std::cout << "  run_checked: " << grouped(f["ops"]["total"].get<double>()) << " ops (+"
              << grouped(f["final_reads"].get<double>()) << " final reads), "
              << grouped(f["messages"]["sent"].get<double>()) << " messages, " << fixed(num(f, "sim_time_s"), 1)
              << " s simulated in " << fixed(num(f, "wall_s"), 2) << " s wall (cpu " << fixed(num(f, "cpu_s"), 2)
              << " s)\n"
              << "      " << grouped(num(f, "msgs_per_s")) << " msgs/s, " << grouped(num(f, "ops_per_s"))
              << " ops/s, trace " << mib(num(f, "trace_bytes") / 1024.0) << ", peak RSS "
              << mib(num(f, "max_rss_kib")) << "\n      violations:";
    for (const auto& [name, count] : f["counts"].items()) std::cout << " " << name << "=" << count.dump();
    std::cout << "\n";
    print_samples(f);
    report["faultlab"] = f;
  } else {
    std::cout << "  run_checked: " << traced.error << "\n";
    failed = true;
  }

  if (!no_breakdown && traced.ok) {
    faultlab::cli::RunRequest phases_request = request;
    phases_request.trace_path = scratch_trace;
    ChildOutcome phases = in_child([&] {
      Json result = faultlab_phases(scenario, phases_request);
      drop_scratch(phases_request.trace_path);
      return result;
    });
    if (phases.ok) {
      const Json& p = phases.data;
      const double total = num(p, "total_s");
      auto share = [&](const char* key) {
        return fixed(num(p, key), 2) + " s (" + fixed(100.0 * per_second(num(p, key), total), 0) + "%)";
      };
      std::cout << "  phases (a second run, timed step by step): simulate " << share("simulate_s") << ", check "
                << share("check_s") << ", explain violations " << share("explain_s") << ", write trace "
                << share("write_trace_s") << "; "
                << grouped(num(p, "trace_events")) << " trace events\n";
      if (p["messages_sent"] != traced.data["messages"]["sent"])
        std::cout << "  warning: the phase run sent a different number of messages: the runs are not the same\n";
      report["faultlab_phases"] = p;
    } else {
      std::cout << "  phases: " << phases.error << "\n";
    }

    faultlab::cli::RunRequest untraced_request = request;
    untraced_request.trace_path.clear();
    untraced = best_of(repeats, [&] { return faultlab_checked(scenario, untraced_request); });
    if (untraced.ok) {
      const Json& u = untraced.data;
      const double traced_wall = num(traced.data, "wall_s");
      std::cout << "  without --trace (no message events, no file): " << fixed(num(u, "wall_s"), 2) << " s wall, "
                << grouped(num(u, "msgs_per_s")) << " msgs/s, peak RSS " << mib(num(u, "max_rss_kib"))
                << "; tracing costs " << fixed(100.0 * (traced_wall - num(u, "wall_s")) / traced_wall, 0)
                << "% of the traced run" << (traced_wall < num(u, "wall_s") ? " (below the noise)" : "") << "\n";
      print_samples(u);
      report["faultlab_untraced"] = u;
    } else {
      std::cout << "  without --trace: " << untraced.error << "\n";
    }
  }

  // ---- 3. comparison
  if (raw_plain.ok && traced.ok) {
    const double raw_rate = num(raw_plain.data, "msgs_per_s");
    const double fl_rate = num(traced.data, "msgs_per_s");
    const double ratio = per_second(fl_rate, raw_rate);
    const double cpu_ratio = per_second(num(traced.data, "msgs_per_cpu_s"), num(raw_plain.data, "msgs_per_cpu_s"));
    std::cout << "\n[3] messages per wall-clock second: raw " << grouped(raw_rate) << ", faultlab " << grouped(fl_rate)
              << ", ratio faultlab/raw " << fixed(ratio, 3) << " (" << fixed(ratio > 0 ? 1.0 / ratio : 0.0, 1)
              << "x slower per message)\n"
              << "    per CPU second (steadier on a busy machine): raw " << grouped(num(raw_plain.data, "msgs_per_cpu_s"))
              << ", faultlab " << grouped(num(traced.data, "msgs_per_cpu_s")) << ", ratio " << fixed(cpu_ratio, 3)
              << "\n"
              << "    peak RSS: raw " << mib(num(raw_plain.data, "max_rss_kib")) << ", faultlab "
              << mib(num(traced.data, "max_rss_kib")) << " (the bench's own process before forking: "
              << mib(report["parent_max_rss_kib"].get<double>()) << ")\n";
    report["ratio_msgs_per_s"] = ratio;
    report["ratio_msgs_per_cpu_s"] = cpu_ratio;
  }
  if (closed_loop.ok && traced.ok) {
    // Issue 13's goal: faultlab at least half as fast as the closed loop.
    const double closed_rate = num(closed_loop.data, "msgs_per_s");
    std::cout << "    against the closed loop (" << grouped(closed_rate)
              << " msgs/s): faultlab traced " << fixed(100.0 * num(traced.data, "msgs_per_s") / closed_rate, 0) << " %";
    report["closed_loop_share_traced"] = num(traced.data, "msgs_per_s") / closed_rate;
    if (untraced.ok) {
      std::cout << ", without a trace " << fixed(100.0 * num(untraced.data, "msgs_per_s") / closed_rate, 0) << " %";
      report["closed_loop_share_untraced"] = num(untraced.data, "msgs_per_s") / closed_rate;
    }
    std::cout << " (fastest runs of each)\n";
  }

  // Each part is single-threaded: with more runnable work than CPUs, other
  // processes steal time and the rates above drop (more than CPU time shows:
  // SimGrid's mprotect calls wait for TLB flushes on the other CPUs).
  report["load_average_end"] = load_average();
  // The bench keeps one CPU busy itself: more than that on top is others' work.
  const double cpus = std::max(1u, std::thread::hardware_concurrency());
  const double others = std::max(report["load_average_start"].get<double>(),
                                 report["load_average_end"].get<double>() - 1.0);
  if (others > cpus - 0.75)
    std::cout << "    warning: other work kept about " << fixed(others, 1) << " of " << fixed(cpus, 0)
              << " CPUs busy (load average): the rates above are low and noisy\n";

  std::error_code ignored;
  fs::remove_all(temp_dir, ignored);
  if (!keep_trace.empty() && traced.ok) std::cout << "    trace kept: " << keep_trace << "\n";

  if (!json_path.empty()) {
    try {
      faultlab::history::write_file_atomically(json_path, report.dump(2) + "\n");
      std::cout << "    numbers written to " << json_path << "\n";
    } catch (const std::exception& e) {
      std::cerr << "faultlab-bench: " << e.what() << "\n";
      return 1;
    }
  }
  return failed ? 1 : 0;
}
