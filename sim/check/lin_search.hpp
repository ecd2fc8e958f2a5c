// The Wing–Gong–Lowe search for one register (one key), internal to check/.
//
// The history becomes a list of call and return events in time order. The
// search walks it from the front: at a call it tries to take that op effect
// now (the register agrees and the (linearized set, value) pair is new), and if
// so removes ("lifts") the op from the list and starts again at the front; at a
// return it has failed to place that op in time and backtracks to the last
// choice. Optional (info) ops return at +infinity, so reaching one of their
// returns means every ok op has been placed: success.
//
// Three prunings keep it fast; each is argued where it is made, and all are
// checked against the brute-force definition in the tests:
//   - reads (and cas from a value to itself) that fit the current value are
//     placed at once, without a choice point;
//   - an optional op is placed only right before an op that observes its value;
//   - a move that leaves the register for good on a value that a mandatory op
//     still needs (nothing unplaced can set it again) is not made.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace faultlab::check::lin {

using Value = std::optional<std::int64_t>; // std::nullopt: the key is absent

enum class Kind : std::uint8_t { read, write, cas };

struct LinOp {
  Kind kind = Kind::read;
  bool optional = false; // an info write or cas: may be placed anywhere after its call, or never
  Value value;           // read: the value observed; write, cas: the value set
  Value expected;        // cas: the value it must find
  double call_s = 0;
  double return_s = 0; // +infinity for optional ops
  // The return is inferred (an info op that must have taken effect before an
  // ok op observed its value): at equal times, ordinary returns come first, so
  // the search gets stuck at the observer, which is the op worth reporting.
  bool inferred = false;
  std::size_t source = 0; // the caller's index for this op
};

struct Limits {
  std::chrono::steady_clock::time_point deadline;
  std::size_t max_states = 0;
};

enum class SearchOutcome { linearizable, stuck, out_of_time, out_of_states };

struct SearchResult {
  SearchOutcome outcome = SearchOutcome::linearizable;
  std::size_t states = 0; // (linearized set, value) pairs remembered
  // When stuck: the op whose return the search could get furthest to without
  // placing it, and the values the register could hold when it got there
  // (sorted, absent first, at most kMaxCandidates).
  std::size_t stuck_op = 0;
  std::vector<Value> candidates;
  // The most ops any branch placed before reaching stuck_op's return.
  std::size_t placed_before_stuck = 0;
};

constexpr std::size_t kMaxCandidates = 4;

// Whether `op` can take effect on a register holding `current`, and what it
// then holds.
bool apply(const LinOp& op, const Value& current, Value& next);

// `initial`: what the register holds before any op.
SearchResult search(const std::vector<LinOp>& ops, const Value& initial, const Limits& limits);

} // namespace faultlab::check::lin
