// What a client observed: one operation from invoke to completion, Jepsen style.
//
// A history is a list of these. Checkers judge a system only from its
// history, so this header must stay free of SimGrid and of the models.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::history {

// How an operation ended, as the client saw it.
//   ok   - it took effect and the client got the answer.
//   fail - it certainly did not take effect (for example: refused, nothing sent).
//   info - the outcome is unknown (typically a timeout): it may have taken
//          effect, at any time after the invoke, or never.
enum class Outcome { ok, fail, info };

const char* to_string(Outcome outcome);
std::optional<Outcome> outcome_from_string(const std::string& text);

constexpr double kNever = std::numeric_limits<double>::infinity();

// One step of a transaction (an op with f == "txn", as in Knossos's
// multi-register): a read or a write of one register.
struct TxnStep {
  bool write = false;
  std::string key;
  // write: the value written; read: the value observed (std::nullopt: nil).
  std::optional<std::int64_t> value;
};

struct Op {
  std::int64_t id = 0;      // unique within a history
  std::int64_t process = 0; // the session that issued it (a user, a Jepsen process)
  std::string client;       // the client group it belongs to, "" if unknown
  std::string f;            // "read", "write", ...
  std::string key;          // "" for single-register histories
  // write: the value written. read: the value observed, std::nullopt when
  // the key did not exist (or, for fail/info reads, nothing was observed).
  std::optional<std::int64_t> value;
  // cas: the value the operation expected to find (value is the new one).
  std::optional<std::int64_t> expected;
  double invoke_s = 0.0;
  // When the client learnt the outcome; for info ops, when it gave up.
  double complete_s = kNever;
  Outcome outcome = Outcome::info;
  std::string node;  // which server answered, "" if none
  std::string error; // why it failed or is unknown ("timeout", "unavailable", ...)
  // A read made after the workload ended and the system was left to settle,
  // to learn the final state (used by lost_writes).
  bool final_read = false;
  // Server-side position of a write in the primary's log, when known. Only
  // used for display; checkers never trust it.
  std::optional<std::int64_t> position;
  // The leader's term (epoch) that accepted a write, when the system has one.
  std::optional<std::int64_t> term;
  // f == "txn": its steps in order; the reads carry what the completion saw.
  std::vector<TxnStep> txn;

  bool is_read() const { return f == "read"; }
  bool is_write() const { return f == "write"; }
};

// Ops sorted by invoke time (ties by id).
struct History {
  std::vector<Op> ops;
};

} // namespace faultlab::history
