#include "cli/sweep_command.hpp"

#include "analysis/saturation.hpp"
#include "cli/commands.hpp"
#include "cli/runner.hpp"
#include "cli/sweep_slurm.hpp"
#include "history/trace_writer.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace faultlab::cli {

using scenario::Json;
using util::InputError;

namespace {

constexpr std::uint64_t kMaxRuns = 1'000'000;
const char* const kMetricColumns[] = {"availability", "latency_p50_s", "latency_p99_s", "latency_max_s",
                                      "ops_ok",       "ops_fail",      "ops_info",      "ops_total"};

// The metric columns of a sweep: the cache's too when the scenario has one.
struct Columns {
  std::vector<std::string> checks;
  std::vector<std::string> metrics;
};

// A checker's column is its name, unless a metric has that name too (the
// availability checker and metric): then "<check>_violations".
std::string check_column(const std::string& check, const Columns& columns) {
  bool clash = std::find(columns.metrics.begin(), columns.metrics.end(), check) != columns.metrics.end();
  return clash ? check + "_violations" : check;
}

bool parse_u64(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

using Slice = std::pair<std::uint64_t, std::uint64_t>; // runs [first, second)

Slice parse_shard(const std::string& text, std::uint64_t total) {
  if (text.empty()) return {0, total};
  std::size_t slash = text.find('/');
  std::uint64_t k = 0, n = 0;
  if (slash == std::string::npos || !parse_u64(text.substr(0, slash), k) ||
      !parse_u64(text.substr(slash + 1), n) || k < 1 || n < 1 || k > n)
    throw InputError("bad-shard", "--shard " + text, "expected K/N with 1 <= K <= N, like 2/4");
  if (n > kMaxRuns)
    throw InputError("bad-shard", "--shard " + text, "at most " + std::to_string(kMaxRuns) + " shards");
  auto cut = [&](std::uint64_t i) { return i * total / n; }; // both <= kMaxRuns: no overflow
  return {cut(k - 1), cut(k)};
}

// The JSON pointer of a --param path, after checking (as --set does) that
// every part but the last exists in the effective document (base + variant).
std::string param_pointer(const Json& base, const SweepArgs& args, const std::string& path) {
  std::string pointer, argument = path + "=0";
  for (std::size_t start = 0, dot = 0; dot != std::string::npos; start = dot + 1) {
    dot = path.find('.', start);
    pointer =
        scenario::pointer_append(pointer, path.substr(start, dot == std::string::npos ? dot : dot - start));
  }
  try {
    scenario::Origin origin;
    scenario::effective_document(base, args.scenario, scenario::LoadOptions{args.variant, {argument}},
                                 origin);
  } catch (const InputError& e) {
    std::string what = e.what(), marker = "--set " + argument + ": ";
    std::size_t at = what.find(marker);
    if (e.id() != "unknown-set-path" || at == std::string::npos) throw;
    throw InputError("unknown-param-path", args.scenario + ": --param " + path,
                     what.substr(at + marker.size()));
  }
  return pointer;
}

// One run of the sweep: which value of each parameter, and the seed.
struct Plan {
  std::vector<SweepParam> params;
  std::vector<std::uint64_t> seeds;
  std::uint64_t total = 0;
  std::vector<std::size_t> choice(std::uint64_t run) const {
    std::uint64_t combo = run / seeds.size();
    std::vector<std::size_t> picks(params.size());
    for (std::size_t p = params.size(); p-- > 0;) {
      picks[p] = static_cast<std::size_t>(combo % params[p].values.size());
      combo /= params[p].values.size();
    }
    return picks;
  }
  std::uint64_t seed(std::uint64_t run) const { return seeds[static_cast<std::size_t>(run % seeds.size())]; }
};

struct Row {
  bool ok = false;
  std::string text; // the checker, metric and sim_time_s cells; or the error
};

// What a child sends back: "ok\n" and its cells, or "error\n" and the message.
std::string run_one(const SweepArgs& args, const Plan& plan, const Columns& columns,
                    std::uint64_t run) {
  try {
    std::vector<std::string> sets;
    auto picks = plan.choice(run);
    for (std::size_t p = 0; p < plan.params.size(); ++p)
      sets.push_back(plan.params[p].path + "=" + plan.params[p].values[picks[p]]);
    scenario::Scenario s = scenario::load_scenario(args.scenario, scenario::LoadOptions{args.variant, sets});
    RunRequest request;
    request.seed = plan.seed(run);
    request.saturation = args.saturation;
    const Json summary = run_checked(s, request).summary;
    // Numbers as the summary JSON writes them (shortest round-trip form).
    std::string cells;
    for (const auto& c : columns.checks)
      cells += (summary["counts"].contains(c) ? summary["counts"][c].dump() : "") + ",";
    for (const auto& m : columns.metrics)
      cells += (summary["metrics"].contains(m) ? summary["metrics"][m].dump() : "") + ",";
    cells += summary["sim_time_s"].dump();
    // The resources on a line of their own: their columns are known only
    // once every run is back.
    if (args.saturation) cells += "\n" + summary["saturation"]["resources"].dump();
    return "ok\n" + cells;
  } catch (const std::exception& e) {
    return std::string("error\n") + e.what();
  }
}

std::string format_seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, s < 60 ? "%.1fs" : "%.0fs", s);
  return buffer;
}

// "sweep: 7/20 runs done, 12.3s elapsed, about 22.0s left": \r updates on a
// terminal (only when `err` is std::cerr and stderr is a TTY), otherwise a
// line every 5% of the runs, at least every 30 s, and at the end.
struct Progress {
  using Clock = std::chrono::steady_clock;
  std::ostream& err;
  bool enabled;
  std::uint64_t total;
  bool tty = false;
  std::size_t width = 0;
  Clock::time_point start = Clock::now(), last_line = start;

  void update(std::uint64_t done, std::uint64_t failed) {
    if (!enabled || total == 0) return;
    auto now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - start).count();
    bool due = done % std::max<std::uint64_t>(1, (total + 19) / 20) == 0 || done == total ||
               std::chrono::duration<double>(now - last_line).count() >= 30;
    if (!tty && !due) return;
    std::string line = "sweep: " + std::to_string(done) + "/" + std::to_string(total) + " runs done";
    if (failed) line += " (" + std::to_string(failed) + " failed)";
    line += ", " + format_seconds(elapsed) + " elapsed";
    if (done < total && done > 0)
      line += ", about " + format_seconds(elapsed / double(done) * double(total - done)) + " left";
    if (tty) {
      std::size_t pad = width > line.size() ? width - line.size() : 0;
      width = line.size();
      err << '\r' << line << std::string(pad, ' ') << (done == total ? "\n" : "") << std::flush;
    } else {
      err << line << "\n" << std::flush;
    }
    last_line = now;
  }
};

// The child's verdict from what it wrote and how it ended.
Row read_child(int fd, int status) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n > 0)
      text.append(buffer, static_cast<std::size_t>(n));
    else if (errno != EINTR)
      break;
  }
  ::close(fd);
  bool exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (exited && text.rfind("ok\n", 0) == 0) return {true, text.substr(3)};
  if (exited && text.rfind("error\n", 0) == 0) return {false, text.substr(6)};
  if (WIFSIGNALED(status))
    return {false, "the run crashed (signal " + std::to_string(WTERMSIG(status)) + ": " +
                       ::strsignal(WTERMSIG(status)) + ")"};
  return {false, "the run ended without a result (exit status " +
                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")"};
}

// Runs [begin, end) of the plan, one child process per run, `jobs` at a
// time. (runner's run_in_children reports nothing until every task is done,
// so this is the same fork/wait loop with a progress hook; results come back
// over a pipe.)
std::vector<Row> run_all(const SweepArgs& args, const Plan& plan, const Columns& columns,
                         Slice slice, Progress& progress) {
  std::vector<Row> rows(static_cast<std::size_t>(slice.second - slice.first));
  struct Child {
    pid_t pid;
    std::size_t row;
    int fd;
  };
  std::vector<Child> running;
  std::uint64_t next = slice.first, done = 0, failed = 0;
  auto finish = [&](std::size_t i, Row row) {
    failed += row.ok ? 0 : 1;
    rows[i] = std::move(row);
    progress.update(++done, failed);
  };
  while (next < slice.second || !running.empty()) {
    if (next < slice.second && running.size() < static_cast<std::size_t>(std::max(1, args.jobs))) {
      auto i = static_cast<std::size_t>(next - slice.first);
      int fds[2];
      std::fflush(nullptr);
      std::cout.flush();
      pid_t pid = -1;
      if (::pipe(fds) == 0 && (pid = ::fork()) < 0) {
        int error = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        errno = error;
      }
      if (pid < 0) {
        finish(i, {false, std::string("cannot start the run: ") + std::strerror(errno)});
      } else if (pid == 0) {
        ::close(fds[0]);
        std::string text = run_one(args, plan, columns, next);
        text.resize(std::min<std::size_t>(text.size(), 60000)); // within a pipe's buffer: never blocks
        for (std::size_t at = 0; at < text.size();) {
          ssize_t n = ::write(fds[1], text.data() + at, text.size() - at);
          if (n <= 0) break;
          at += static_cast<std::size_t>(n);
        }
        ::_exit(0);
      } else {
        ::close(fds[1]);
        running.push_back(Child{pid, i, fds[0]});
      }
      ++next;
      continue;
    }
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break; // no child left: cannot happen while `running` is not empty
    auto it = std::find_if(running.begin(), running.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == running.end()) continue;
    Child child = *it;
    running.erase(it);
    finish(child.row, read_child(child.fd, status));
  }
  return rows; // a row still {false, ""} did not report back (cannot happen)
}

} // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

SweepParam parse_sweep_param(const std::string& text) {
  auto fail = [&](const std::string& what) { throw InputError("bad-param", "--param " + text, what); };
  std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    fail("expected PATH=v1,v2,..., like components.profiles.read_your_writes=false,true");
  SweepParam param;
  param.path = text.substr(0, eq);
  if (param.path.front() == '.' || param.path.back() == '.' || param.path.find("..") != std::string::npos)
    fail("the path has an empty part");
  std::string current;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = eq + 1; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth < 0) fail(std::string("a '") + c + "' closes nothing");
    } else if (c == ',' && depth == 0) {
      param.values.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (in_string) fail("a quote is not closed");
  if (depth > 0) fail("a bracket is not closed");
  param.values.push_back(current);
  for (std::size_t i = 0; i < param.values.size(); ++i)
    if (param.values[i].empty()) fail("value " + std::to_string(i + 1) + " is empty");
  return param;
}

std::vector<std::uint64_t> parse_sweep_seeds(const std::string& text) {
  auto fail = [&](const std::string& what) { throw InputError("bad-seeds", "--seeds " + text, what); };
  const std::string expected = "expected A..B or a list like 1,2,7";
  std::vector<std::uint64_t> seeds;
  std::size_t range = text.find("..");
  if (range != std::string::npos) {
    std::uint64_t a = 0, b = 0;
    if (!parse_u64(text.substr(0, range), a) || !parse_u64(text.substr(range + 2), b)) fail(expected);
    if (a > b) fail("the range is empty (" + std::to_string(a) + " > " + std::to_string(b) + ")");
    if (b - a >= kMaxRuns) fail("more than " + std::to_string(kMaxRuns) + " seeds");
    for (std::uint64_t s = a; s <= b; ++s)
      seeds.push_back(s);
    return seeds;
  }
  std::set<std::uint64_t> seen;
  for (std::size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
    comma = text.find(',', start);
    std::uint64_t s = 0;
    if (!parse_u64(text.substr(start, comma == std::string::npos ? comma : comma - start), s)) fail(expected);
    if (!seen.insert(s).second) fail("seed " + std::to_string(s) + " is listed twice");
    seeds.push_back(s);
  }
  return seeds;
}

int command_sweep(const SweepArgs& args, std::ostream& out, std::ostream& err) {
  Plan plan;
  Slice slice;
  Columns columns;
  std::vector<std::string>& checks = columns.checks; // the checker columns, in declaration order
  std::string variant;
  try {
    // Everything that can be wrong with the input is found before anything runs.
    std::set<std::string> paths;
    for (const auto& text : args.params) {
      plan.params.push_back(parse_sweep_param(text));
      if (!paths.insert(plan.params.back().path).second)
        throw InputError("bad-param", "--param " + text, "this path is already swept by another --param");
    }
    plan.seeds = parse_sweep_seeds(args.seeds);
    if (args.jobs < 1)
      throw InputError("bad-jobs", "--jobs " + std::to_string(args.jobs), "expected at least 1");
    if (args.out.empty()) throw InputError("bad-out", "--out", "a CSV file to write is required");
    std::error_code ec;
    if (fs::is_directory(args.out, ec))
      throw InputError("bad-out", "--out " + args.out, "is a folder, not a file");
    plan.total = plan.seeds.size();
    for (const auto& p : plan.params) {
      if (plan.total * p.values.size() > kMaxRuns)
        throw InputError("too-many-runs", "--param " + p.path,
                         "the sweep would have more than " + std::to_string(kMaxRuns) + " runs");
      plan.total *= p.values.size();
    }
    slice = parse_shard(args.shard, plan.total);
    if (args.saturation && !args.slurm_dir.empty())
      throw InputError("bad-slurm", "--saturation",
                       "not with --slurm: the resource columns and the first to saturate need every run at once");
    if (args.saturation && !args.shard.empty())
      throw InputError("bad-shard", "--saturation",
                       "not with --shard: the resource columns and the first to saturate need every run at once");
    if (args.slurm_dir.empty()) {
      const char* needs = "only with --slurm DIR";
      if (args.shards != 0) throw InputError("bad-slurm", "--shards " + std::to_string(args.shards), needs);
      if (args.submit) throw InputError("bad-slurm", "--submit", needs);
      if (!args.slurm_options.empty()) throw InputError("bad-slurm", "--slurm-option " + args.slurm_options[0], needs);
    } else if (!args.shard.empty()) {
      throw InputError("bad-slurm", "--shard " + args.shard,
                       "not with --slurm: each task of the job array runs its own shard (--shards N sets how many)");
    } else if (args.shards < 0) {
      throw InputError("bad-slurm", "--shards " + std::to_string(args.shards), "expected at least 1");
    }

    scenario::Scenario base = scenario::load_scenario(args.scenario, scenario::LoadOptions{args.variant, {}});
    variant = base.variant.empty() ? "base" : base.variant;
    for (const auto& c : base.checks)
      checks.push_back(c.name);
    columns.metrics.assign(std::begin(kMetricColumns), std::end(kMetricColumns));
    for (const auto& name : base.component_metric_names()) columns.metrics.push_back(name);
    scenario::Origin origin;
    Json file = scenario::read_json_file(args.scenario);
    Json document =
        scenario::effective_document(file, args.scenario, scenario::LoadOptions{args.variant, {}}, origin);
    for (const auto& p : plan.params) {
      std::string pointer = param_pointer(file, args, p.path);
      bool leaf_missing = !document.contains(Json::json_pointer(pointer));
      bool under_checks = p.path.rfind("checks", 0) == 0 && (p.path.size() == 6 || p.path[6] == '.');
      if (!leaf_missing && !under_checks) continue;
      // A field the file does not write: is it one validation knows? And a
      // checks.* value may declare more checkers, which get columns too.
      for (const auto& value : p.values) {
        try {
          auto s = scenario::load_scenario(args.scenario,
                                           scenario::LoadOptions{args.variant, {p.path + "=" + value}});
          for (const auto& c : s.checks)
            if (std::find(checks.begin(), checks.end(), c.name) == checks.end()) checks.push_back(c.name);
        } catch (const InputError& e) {
          std::string what = e.what(), marker = ": " + pointer + ": unknown field";
          std::size_t at = what.find(marker);
          if (e.id() == "unknown-field" && at != std::string::npos)
            throw InputError("unknown-param-path", args.scenario + ": --param " + p.path,
                             what.substr(at + 2));
        }
      }
    }
    fs::path parent = fs::path(args.out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec) && !fs::create_directories(parent, ec))
      throw InputError("bad-out", "--out " + args.out, "cannot create the folder " + parent.string());
    if (::access(parent.empty() ? "." : parent.c_str(), W_OK) != 0)
      throw InputError("bad-out", "--out " + args.out,
                       "cannot write in " + (parent.empty() ? "." : parent.string()));
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }

  if (!args.slurm_dir.empty()) return write_slurm_sweep(args, plan.total, out, err);

  std::uint64_t count = slice.second - slice.first;
  if (args.progress) {
    err << "sweep: " << count << " run" << (count == 1 ? "" : "s");
    if (!args.shard.empty())
      err << " (shard " << args.shard << " of " << plan.total << " runs"
          << (count ? ": " + std::to_string(slice.first + 1) + " to " + std::to_string(slice.second) : "")
          << ")";
    err << ", " << args.jobs << " at a time\n";
  }
  Progress progress{err, args.progress, count, &err == &std::cerr && ::isatty(STDERR_FILENO) == 1};
  std::vector<Row> rows = run_all(args, plan, columns, slice, progress);

  // --saturation: each run's resources, a column per resource (in order of
  // first appearance), and the verdict over the points of the sweep.
  std::vector<std::vector<analysis::ResourceUse>> used(rows.size());
  std::vector<std::string> resource_columns;
  if (args.saturation) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!rows[i].ok) continue;
      const std::size_t newline = rows[i].text.find('\n');
      if (newline == std::string::npos) continue;
      used[i] = analysis::resources_from_json(Json::parse(rows[i].text.substr(newline + 1), nullptr, false));
      rows[i].text.resize(newline);
      for (const auto& r : used[i])
        if (std::find(resource_columns.begin(), resource_columns.end(), r.id) == resource_columns.end())
          resource_columns.push_back(r.id);
    }
    // CPUs, then pools, then links; by name within each.
    auto rank = [](const std::string& id) { return id.rfind("cpu:", 0) == 0 ? 0 : id.rfind("pool:", 0) == 0 ? 1 : 2; };
    std::sort(resource_columns.begin(), resource_columns.end(), [&](const std::string& a, const std::string& b) {
      return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
  }
  std::string csv;
  for (const auto& p : plan.params)
    csv += csv_field(p.path) + ",";
  csv += "seed,variant";
  for (const auto& c : checks)
    csv += "," + csv_field(check_column(c, columns));
  for (const auto& m : columns.metrics)
    csv += "," + m;
  csv += ",sim_time_s";
  for (const auto& id : resource_columns) csv += "," + csv_field(id);
  if (args.saturation) csv += ",saturated";
  csv += ",error\n";
  const std::string empty_cells(
      checks.size() + columns.metrics.size() + 1 + resource_columns.size() + (args.saturation ? 1 : 0), ',');
  std::size_t failed = 0;
  for (std::uint64_t run = slice.first; run < slice.second; ++run) {
    const Row& row = rows[static_cast<std::size_t>(run - slice.first)];
    auto picks = plan.choice(run);
    for (std::size_t p = 0; p < plan.params.size(); ++p)
      csv += csv_field(plan.params[p].values[picks[p]]) + ",";
    csv += std::to_string(plan.seed(run)) + "," + csv_field(variant) + ",";
    std::string resource_cells;
    if (args.saturation && row.ok) {
      const auto& mine = used[static_cast<std::size_t>(run - slice.first)];
      std::string saturated;
      for (const auto& id : resource_columns) {
        auto it = std::find_if(mine.begin(), mine.end(), [&](const analysis::ResourceUse& r) { return r.id == id; });
        resource_cells += "," + (it == mine.end() ? std::string() : Json(it->utilization).dump());
        if (it != mine.end() && it->saturated) saturated += (saturated.empty() ? "" : " ") + id;
      }
      resource_cells += "," + csv_field(saturated);
    }
    csv += row.ok
               ? row.text + resource_cells + ",\n"
               : empty_cells + csv_field(row.text.empty() ? "the run did not report back" : row.text) + "\n";
    failed += row.ok ? 0 : 1;
  }
  try {
    history::write_file_atomically(args.out, csv);
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  out << "wrote " << args.out << " (" << count << " row" << (count == 1 ? "" : "s") << ")\n";
  if (args.saturation) {
    // One point per combination of values; its seeds are consecutive runs.
    std::vector<analysis::SweepPoint> points;
    for (std::uint64_t run = slice.first; run < slice.second; ++run) {
      if (run % plan.seeds.size() == 0) {
        analysis::SweepPoint point;
        auto picks = plan.choice(run);
        for (std::size_t p = 0; p < plan.params.size(); ++p)
          point.label += (p ? ", " : "") + plan.params[p].path + "=" + plan.params[p].values[picks[p]];
        points.push_back(std::move(point));
      }
      points.back().seeds.push_back(used[static_cast<std::size_t>(run - slice.first)]);
    }
    for (const auto& line : analysis::sweep_saturation_lines(points)) out << line << "\n";
  }
  if (failed)
    err << "sweep: " << failed << " of " << count << " run" << (count == 1 ? "" : "s")
        << " failed; the error column of " << args.out << " says why\n";
  return kExitOk;
}

} // namespace faultlab::cli
