#include "cli/sweep_slurm.hpp"

#include "cli/commands.hpp"
#include "cli/sweep_command.hpp"
#include "history/trace_writer.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"
#include "util/input_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace faultlab::cli {

using util::InputError;

namespace {

const char* const kManifestFormat = "faultlab-sweep-slurm";
const char* const kManifest = "sweep.json";
const char* const kScript = "sweep.sbatch";
constexpr std::size_t kMaxShardBytes = std::size_t(1) << 30; // 1 GiB: about five million rows

std::string shard_name(std::uint64_t k, const char* ext) {
  return "shard-" + std::to_string(k) + ext;
}

// Rows of shard K of N in a sweep of `runs` runs (the slicing of sweep_command.cpp).
std::uint64_t shard_rows(std::uint64_t k, std::uint64_t n, std::uint64_t runs) {
  return k * runs / n - (k - 1) * runs / n;
}

std::string command_line(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& w : words)
    line += (line.empty() ? "" : " ") + shell_word(w);
  return line;
}

// sbatch's job name: the scenario's file name, in characters any shell and
// squeue column show as they are.
std::string job_name(const std::string& scenario) {
  std::string name = "faultlab-sweep-" + fs::path(scenario).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return name;
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0, colon = 0; colon != std::string::npos; start = colon + 1) {
    colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? colon : colon - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return "";
}

// Runs `argv` and returns its exit status (-1: killed or not started) and
// what it printed on stdout and stderr together.
std::pair<int, std::string> run_capturing(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, std::string("cannot make a pipe: ") + std::strerror(errno)};
  std::cout.flush();
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {-1, std::string("cannot start it: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "cannot start %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n > 0)
      text.append(buffer, static_cast<std::size_t>(n));
    else if (errno != EINTR)
      break;
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

// Several lines of a program's output as one line for an error message.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  std::string line;
  for (char c : text)
    line += c == '\n' ? std::string(" / ") : std::string(1, c);
  if (line.size() > 600) line = line.substr(0, 600) + "...";
  return line.empty() ? "(it printed nothing)" : line;
}

// The last line of a (possibly long) log that is not empty.
std::string last_line(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' '))
    tail.pop_back();
  std::size_t cut = tail.find_last_of('\n');
  std::string line = cut == std::string::npos ? tail : tail.substr(cut + 1);
  std::size_t cr = line.find_last_of('\r'); // a progress line redrawn with \r: its last state
  if (cr != std::string::npos) line = line.substr(cr + 1);
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

std::vector<std::string> naive_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    fields.push_back(line.substr(start, comma - start));
  fields.push_back(line.substr(start));
  return fields;
}

std::string strip_break(std::string record) {
  while (!record.empty() && (record.back() == '\n' || record.back() == '\r'))
    record.pop_back();
  return record;
}

// Where two headers first differ, for the error message.
std::string header_difference(const std::string& expected, const std::string& got) {
  auto a = naive_fields(strip_break(expected)), b = naive_fields(strip_break(got));
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? util::quote(a[i]) : "nothing",
                y = i < b.size() ? util::quote(b[i]) : "nothing";
    if (x != y) return "column " + std::to_string(i + 1) + " is " + y + " here, " + x + " there";
  }
  return "they differ in their line breaks";
}

struct Manifest {
  std::uint64_t shards = 0, runs = 0;
  std::string job_id;
};

Manifest read_manifest(const fs::path& dir) {
  fs::path path = dir / kManifest;
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw InputError(
        "bad-manifest", dir.string(),
        std::string("no ") + kManifest +
            " here: give a folder written by `faultlab sweep --slurm`, or the shard CSV files in order");
  scenario::Json doc = scenario::read_json_file(path.string());
  auto where = [&](const std::string& pointer) { return path.string() + ": " + pointer; };
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != kManifestFormat)
    throw InputError("bad-manifest", where("/format"),
                     std::string("expected \"") + kManifestFormat +
                         "\" (a file written by `faultlab sweep --slurm`)");
  Manifest m;
  for (const char* key : {"shards", "runs"}) {
    const auto it = doc.find(key);
    if (it == doc.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() < 1)
      throw InputError("bad-manifest", where(std::string("/") + key),
                       "expected a whole number of at least 1" +
                           (it == doc.end() ? std::string(", found nothing") : ", got " + it->dump()));
    (std::string(key) == "shards" ? m.shards : m.runs) = it->get<std::uint64_t>();
  }
  if (m.shards > static_cast<std::uint64_t>(kMaxSlurmShards) || m.shards > m.runs)
    throw InputError("bad-manifest", where("/shards"),
                     "expected at most " + std::to_string(std::min<std::uint64_t>(kMaxSlurmShards, m.runs)) +
                         " (the runs, and Slurm's task ids), got " + std::to_string(m.shards));
  if (doc.contains("job_id") && doc["job_id"].is_string()) m.job_id = doc["job_id"].get<std::string>();
  return m;
}

// Why shard K left no table, from its log.
std::string missing_detail(const fs::path& dir, std::uint64_t k, const Manifest& m) {
  fs::path log = dir / shard_name(k, ".log");
  std::error_code ec;
  if (fs::exists(log, ec)) {
    std::string line = last_line(log);
    return "its task started (" + log.string() + ")" +
           (line.empty() ? std::string(" and logged nothing: still running, or killed")
                         : ", and its log ends: " + line);
  }
  return "its task has not started (no " + log.string() + "): " +
         (m.job_id.empty() ? std::string("was ") + (dir / kScript).string() + " submitted?"
                           : "is job " + m.job_id + " still queued? (squeue -j " + m.job_id + ")");
}

} // namespace

std::string shell_word(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                              "_-./=:,+@%") == std::string::npos)
    return text;
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::vector<std::string> csv_records(const std::string& text) {
  std::vector<std::string> records;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted; // "" inside a quoted field flips twice
    if (text[i] == '\n' && !quoted) {
      records.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) records.push_back(text.substr(start));
  return records;
}

std::string sbatch_script(const SlurmJob& job) {
  const std::string dir = shell_word(job.dir), n = std::to_string(job.shards);
  std::string s = "#!/bin/bash\n";
  s += "# A faultlab sweep as a Slurm job array, written by `faultlab sweep --slurm`.\n";
  s += "# Task K runs the K-th of " + n + " slices of the sweep's runs and writes\n";
  s += "# " + job.dir + "/shard-K.csv (its log: shard-K.log). When every task is done:\n";
  s += "#   " + command_line({job.command.front(), "sweep-merge", job.dir, "--out", "ALL.csv"}) + "\n";
  s += "# Rerun task K alone: sbatch --array=K " + job.dir + "/" + kScript + "\n";
  s += "#SBATCH --job-name=" + job.job_name + "\n";
  s += "#SBATCH --array=1-" + n + "\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(job.cpus_per_task) + "\n";
  s += "#SBATCH --chdir=" + job.dir + "\n";
  s += "#SBATCH --output=" + job.dir + "/shard-%a.log\n";
  for (const auto& option : job.options)
    s += "#SBATCH " + option + "\n";
  s += "set -eu\n";
  s += "task=${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array: submit it with sbatch}\n";
  s += "exec " + command_line(job.command) + " --shard \"$task/" + n + "\" --out " + dir +
       "/shard-\"$task\".csv\n";
  return s;
}

int write_slurm_sweep(const SweepArgs& args, std::uint64_t runs, std::ostream& out, std::ostream& err) {
  SlurmJob job;
  fs::path dir;
  std::string merged, merge_command;
  nlohmann::ordered_json manifest;
  try {
    if (args.program.empty()) throw std::logic_error("sweep --slurm: the program the tasks run is not set");
    const std::uint64_t shards =
        args.shards > 0 ? static_cast<std::uint64_t>(args.shards)
                        : std::min<std::uint64_t>(runs, static_cast<std::uint64_t>(kDefaultSlurmShards));
    const std::string shards_option = "--shards " + std::to_string(shards);
    if (shards > static_cast<std::uint64_t>(kMaxSlurmShards))
      throw InputError("bad-slurm", shards_option,
                       "at most " + std::to_string(kMaxSlurmShards) +
                           " (Slurm's default MaxArraySize allows task ids up to that)");
    if (shards > runs)
      throw InputError("bad-slurm", shards_option,
                       "the sweep has " + std::to_string(runs) + " run" + (runs == 1 ? "" : "s") +
                           ", so at most that many shards");
    for (const auto& option : args.slurm_options) {
      if (option.empty() || option.find_first_of("\n\r") != std::string::npos)
        throw InputError("bad-slurm", "--slurm-option " + nlohmann::json(option).dump(),
                         "expected one sbatch option on one line, like partition=debug or --time=30:00");
      job.options.push_back(option.front() == '-' ? option : "--" + option);
    }
    dir = fs::absolute(args.slurm_dir).lexically_normal();
    if (dir.has_filename() == false && dir.has_parent_path()) dir = dir.parent_path(); // "out/" -> "out"
    if (dir.string().find_first_of(" \t\"'\\%$`") != std::string::npos)
      throw InputError(
          "bad-slurm", "--slurm " + args.slurm_dir,
          "#SBATCH lines cannot hold a path with spaces, quotes, $, ` or %; pick another folder");
    std::error_code ec;
    if (!fs::is_directory(dir, ec) && !fs::create_directories(dir, ec))
      throw InputError("bad-slurm", "--slurm " + args.slurm_dir,
                       "cannot create the folder" + (ec ? " (" + ec.message() + ")" : std::string()));
    std::vector<std::string> old_shards;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      const std::string ext = entry.path().extension().string();
      if (name.rfind("shard-", 0) == 0 && (ext == ".csv" || ext == ".log")) old_shards.push_back(name);
    }
    if (!old_shards.empty()) {
      std::sort(old_shards.begin(), old_shards.end()); // the directory's order is not the same everywhere
      throw InputError(
          "bad-slurm", "--slurm " + args.slurm_dir,
          "holds " + old_shards[0] +
              (old_shards.size() > 1 ? " and " + std::to_string(old_shards.size() - 1) + " more" : "") +
              " from an earlier sweep; remove its shard-* files (or pick a new folder) so they "
              "cannot be taken for this one's");
    }
    if (::access(dir.c_str(), W_OK) != 0)
      throw InputError("bad-slurm", "--slurm " + args.slurm_dir, "cannot write in " + dir.string());

    job.dir = dir.string();
    job.shards = static_cast<int>(shards);
    job.cpus_per_task = args.jobs;
    job.job_name = job_name(args.scenario);
    const std::string scenario = fs::absolute(args.scenario).lexically_normal().string();
    job.command = {args.program, "sweep", scenario};
    if (!args.variant.empty()) job.command.insert(job.command.end(), {"--variant", args.variant});
    for (const auto& p : args.params)
      job.command.insert(job.command.end(), {"--param", p});
    job.command.insert(job.command.end(), {"--seeds", args.seeds, "--jobs", std::to_string(args.jobs)});
    if (!args.progress) job.command.push_back("--no-progress");

    merged = fs::absolute(args.out).lexically_normal().string();
    merge_command = command_line({args.program, "sweep-merge", job.dir, "--out", merged});
    manifest = {{"format", kManifestFormat},
                {"version", 1},
                {"scenario", scenario},
                {"variant", args.variant},
                {"params", args.params},
                {"seeds", args.seeds},
                {"jobs", args.jobs},
                {"runs", runs},
                {"shards", shards},
                {"task", command_line(job.command) + " --shard K/" + std::to_string(shards) + " --out " +
                             shell_word(job.dir) + "/shard-K.csv"},
                {"script", (dir / kScript).string()},
                {"submit", "sbatch " + shell_word((dir / kScript).string())},
                {"merge", merge_command},
                {"out", merged}};
    history::write_file_atomically((dir / kScript).string(), sbatch_script(job));
    ::chmod((dir / kScript).c_str(), 0755);
    history::write_file_atomically((dir / kManifest).string(), manifest.dump(2) + "\n");
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }

  const std::string script = (dir / kScript).string();
  out << "wrote " << script << " (a job array of " << job.shards << " shard" << (job.shards == 1 ? "" : "s")
      << " for " << runs << " run" << (runs == 1 ? "" : "s") << ") and " << (dir / kManifest).string()
      << "\n";
  if (!args.submit) {
    out << "submit it:  sbatch " << shell_word(script) << "\n";
    out << "then merge: " << merge_command << "\n";
    return kExitOk;
  }

  try {
    const std::string sbatch = find_on_path("sbatch");
    if (sbatch.empty())
      throw InputError("no-sbatch", "--submit",
                       "sbatch is not on PATH (Slurm's client; Debian: slurm-client); " + script +
                           " is written: submit it from a machine that has sbatch");
    auto [status, text] = run_capturing({sbatch, "--parsable", script});
    // --parsable prints "JOBID" or "JOBID;CLUSTER" as its last line.
    std::string id = strip_break(text);
    id = id.substr(id.find_last_of('\n') == std::string::npos ? 0 : id.find_last_of('\n') + 1);
    id = id.substr(0, id.find(';'));
    if (status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
      throw InputError("sbatch-failed", "sbatch " + script,
                       (status == 0  ? std::string("printed no job id")
                        : status < 0 ? std::string("did not finish")
                                     : "exit status " + std::to_string(status)) +
                           ": " + one_line(text));
    manifest["job_id"] = id;
    history::write_file_atomically((dir / kManifest).string(), manifest.dump(2) + "\n");
    out << "submitted job " << id << " (" << job.shards << " array task" << (job.shards == 1 ? "" : "s")
        << ")\n";
    out << "when it is done (squeue -j " << id << " lists nothing): " << merge_command << "\n";
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

int command_sweep_merge(const SweepMergeArgs& args, std::ostream& out, std::ostream& err) {
  std::string table;
  std::uint64_t rows = 0;
  std::size_t files = 0;
  try {
    if (args.inputs.empty())
      throw InputError("bad-manifest", "sweep-merge",
                       "expected a folder written by --slurm, or shard CSV files");
    std::vector<std::string> paths;
    std::vector<std::uint64_t> expected; // rows per shard, when a manifest says
    std::error_code ec;
    Manifest manifest;
    fs::path dir;
    if (args.inputs.size() == 1 && fs::is_directory(args.inputs[0], ec)) {
      dir = args.inputs[0];
      manifest = read_manifest(dir);
      std::vector<std::uint64_t> missing;
      for (std::uint64_t k = 1; k <= manifest.shards; ++k) {
        fs::path csv = dir / shard_name(k, ".csv");
        if (!fs::exists(csv, ec)) missing.push_back(k);
        paths.push_back(csv.string());
        expected.push_back(shard_rows(k, manifest.shards, manifest.runs));
      }
      if (!missing.empty()) {
        const std::string of = " of " + std::to_string(manifest.shards);
        if (missing.size() == 1)
          throw InputError("missing-shard", paths[missing[0] - 1],
                           "shard " + std::to_string(missing[0]) + of +
                               " wrote no table: " + missing_detail(dir, missing[0], manifest));
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
          list += (i ? ", " : "") + std::to_string(missing[i]);
        if (missing.size() > 10) list += " and " + std::to_string(missing.size() - 10) + " more";
        throw InputError("missing-shard", dir.string(),
                         "shards " + list + of + " wrote no table (shard-K.csv); shard " +
                             std::to_string(missing[0]) + ": " + missing_detail(dir, missing[0], manifest));
      }
    } else {
      paths = args.inputs;
    }
    if (args.out.empty()) throw InputError("bad-out", "--out", "a CSV file to write is required");
    if (fs::is_directory(args.out, ec))
      throw InputError("bad-out", "--out " + args.out, "is a folder, not a file");
    fs::path parent = fs::path(args.out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec) && !fs::create_directories(parent, ec))
      throw InputError("bad-out", "--out " + args.out, "cannot create the folder " + parent.string());

    std::string header, header_file;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const std::string text = util::read_input_file(paths[i], kMaxShardBytes, "shard CSV");
      if (!text.empty() && text.back() != '\n')
        throw InputError("shard-mismatch", paths[i],
                         "does not end with a line break: the file was cut short");
      auto records = csv_records(text);
      if (records.empty())
        throw InputError("shard-mismatch", paths[i], "is empty; a shard's table has a header line at least");
      if (i == 0) {
        header = records[0];
        header_file = paths[i];
        table = header;
      } else if (records[0] != header) {
        throw InputError("shard-mismatch", paths[i],
                         "line 1, the header, is not that of " + header_file + " (" +
                             header_difference(header, records[0]) + "): is it a shard of another sweep?");
      }
      const std::uint64_t count = records.size() - 1;
      if (!expected.empty() && count != expected[i])
        throw InputError("shard-mismatch", paths[i],
                         std::to_string(count) + " row" + (count == 1 ? "" : "s") + ", but shard " +
                             std::to_string(i + 1) + " of " + std::to_string(manifest.shards) + " of a " +
                             std::to_string(manifest.runs) + "-run sweep has " + std::to_string(expected[i]) +
                             ": is it a shard of another sweep?");
      for (std::size_t r = 1; r < records.size(); ++r)
        table += records[r];
      rows += count;
    }
    files = paths.size();
    history::write_file_atomically(args.out, table);
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  out << "wrote " << args.out << " (" << rows << " row" << (rows == 1 ? "" : "s") << " from " << files
      << " shard" << (files == 1 ? "" : "s") << ")\n";
  return kExitOk;
}

} // namespace faultlab::cli
