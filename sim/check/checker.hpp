// The consistency checkers: each judges a history (what clients observed)
// and returns the violations it finds, worded for a student.
//
// Checkers never see the system under test, only its history, so they can
// judge a run of faultlab as well as a history imported from elsewhere.
#pragma once

#include <string_view>
#include <vector>

#include "check/violation.hpp"
#include "history/op.hpp"

namespace faultlab::check {

struct CheckOptions {
  // stale_read tolerates answers up to this much older than the newest
  // acknowledged write (a replica allowed to lag this long is not a bug).
  double stale_bound_s = 0.0;
};

using CheckFn = std::vector<Violation> (*)(const history::History&, const CheckOptions&);

struct CheckerInfo {
  const char* name;    // stable id, used in scenarios and on the command line
  const char* summary; // one line: what it catches
  CheckFn run;
};

// Every checker, in a fixed order: read_your_writes, stale_read, lost_writes.
const std::vector<CheckerInfo>& registry();
// The checker with this name, nullptr if there is none.
const CheckerInfo* find_checker(std::string_view name);

// Each returns its violations sorted by (time_s, ops).
std::vector<Violation> check_read_your_writes(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_stale_read(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_single_leader(const history::History& history, const CheckOptions& options);
std::vector<Violation> check_lost_writes(const history::History& history, const CheckOptions& options);

} // namespace faultlab::check
