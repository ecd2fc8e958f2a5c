// schema_mismatch: requests that failed because the code that made them and
// the database's schema disagreed: a statement named a column the table did
// not have at that moment (PostgreSQL's undefined_column, SQLSTATE 42703:
// `column "name" does not exist`), as after a column was renamed or dropped
// while instances running the old code still served, or after a rollback to
// code that reads a column a migration already renamed.
//
// Which code made a request is read from the history too: a service with
// code versions records, for each instance, an instant op (f "run_version",
// key: the version, node: the instance) whenever a process starts, and a
// request's op names the instance that answered it (`node`). A failed
// request is charged to the version its instance ran when the request was
// made; a request that went to no versioned instance (a job, a client that
// queries the database itself) is charged to its client group.
//
// Violations are one per code version and time window (`window_s`, aligned
// like availability's), so a rolling deploy shows how the errors move from
// the old code to the new, or back after a rollback. Timed-out (info)
// requests are not counted: nothing says why they failed.
#include "check/checker.hpp"
#include "check/describe.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

constexpr std::size_t kMaxOpsListed = 20;

// PostgreSQL's wording for a column that is not there, from a query
// (`column "x" does not exist`) or from an ALTER (`column "x" of relation
// "t" does not exist`).
bool undefined_column(const std::string& error) {
  const std::size_t at = error.find("column \"");
  return at != std::string::npos && error.find("\" does not exist", at + 8) != std::string::npos;
}

// The error from its `column "` on (a service puts "<call>: " before it).
std::string database_error(const std::string& error) { return error.substr(error.find("column \"")); }

struct Started {
  double time_s;
  std::string version;
};

struct Group {
  std::vector<std::int64_t> ops;
  std::set<std::string> instances;
  std::map<std::string, std::int64_t> by_endpoint; // f -> count
  std::map<std::string, std::int64_t> errors;      // error -> count
};

} // namespace

std::vector<Violation> check_schema_mismatch(const history::History& history, const CheckOptions& options) {
  std::vector<Violation> violations;
  if (!(options.window_s > 0) || !std::isfinite(options.window_s)) return violations;
  // Per instance, the versions its processes ran, in time order.
  std::map<std::string, std::vector<Started>> runs;
  for (const Op& op : history.ops)
    if (op.f == "run_version" && op.outcome == Outcome::ok && !op.node.empty())
      runs[op.node].push_back({op.invoke_s, op.key});
  for (auto& [node, list] : runs)
    std::stable_sort(list.begin(), list.end(), [](const Started& a, const Started& b) { return a.time_s < b.time_s; });

  // (label, window index) -> what failed there.
  std::map<std::pair<std::string, double>, Group> groups;
  for (const Op& op : history.ops) {
    if (op.final_read || op.outcome != Outcome::fail || !undefined_column(op.error)) continue;
    std::string label = op.client.empty() ? std::string("(no client)") : op.client;
    if (auto it = runs.find(op.node); it != runs.end()) {
      const std::vector<Started>& list = it->second;
      // The process that served it started at or before the request.
      auto after = std::upper_bound(list.begin(), list.end(), op.invoke_s,
                                    [](double t, const Started& s) { return t < s.time_s; });
      label = "code version " + (after == list.begin() ? list.front().version : std::prev(after)->version);
    }
    Group& g = groups[{label, std::floor(op.invoke_s / options.window_s)}];
    g.ops.push_back(op.id);
    if (!op.node.empty()) g.instances.insert(op.node);
    ++g.by_endpoint[op.f];
    ++g.errors[database_error(op.error)];
  }

  for (auto& [where, g] : groups) {
    const auto& [label, index] = where;
    Violation v;
    v.check = "schema_mismatch";
    v.time_s = index * options.window_s;
    std::sort(g.ops.begin(), g.ops.end());
    v.ops = g.ops;
    if (v.ops.size() > kMaxOpsListed) v.ops.resize(kMaxOpsListed);
    std::string instances, endpoints, errors;
    for (const auto& i : g.instances) instances += (instances.empty() ? "" : ", ") + i;
    for (const auto& [f, n] : g.by_endpoint) endpoints += (endpoints.empty() ? "" : ", ") + f + " " + std::to_string(n);
    for (const auto& [e, n] : g.errors) errors += (errors.empty() ? "" : "; ") + e;
    const std::size_t failed = g.ops.size();
    v.message = label + (instances.empty() ? "" : " (on " + instances + ")") + ": " + std::to_string(failed) +
                (failed == 1 ? " request" : " requests") + " between " + format_time(v.time_s) + " and " +
                format_time(v.time_s + options.window_s) +
                " failed because the code named a column the table did not have (" + errors + "; " + endpoints + ")";
    violations.push_back(std::move(v));
  }
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
