// linearizable: could every operation have taken effect at one instant
// between its invoke and its completion, in an order a single register (or
// one register per key) would explain?
//
// This is the strongest single-object guarantee a database can give, and the
// one users assume without knowing its name: once a write is acknowledged,
// everyone reads it or something newer, and a compare-and-set acts on the
// true current value. Split brain, stale leaders and unfenced writes all
// break it. Checked with the Wing–Gong–Lowe search (as in Lowe's "Testing for
// linearizability" and Porcupine), per key (P-compositionality), remembering
// visited (linearized set, register value) pairs so no configuration is
// explored twice.
//
// Semantics (read, write, cas; anything else in the history is ignored):
//   - The register starts absent (std::nullopt), or at RegisterSemantics::
//     initial. A read observes `value` (std::nullopt = absent, or with
//     NilRead::unknown: it observed nothing and is left out, as Knossos reads
//     nil); a write sets `value`; a cas succeeds iff the current value equals
//     `expected` and then sets `value`.
//   - fail ops certainly did not take effect: they are left out.
//   - info ops may have taken effect at any time after their invoke, or never:
//     an info write or cas is optional (the history is linearizable when the
//     ok ops can be ordered, with each info op placed somewhere or dropped); an
//     info read observed nothing and is left out.
//   - Final reads are ordinary reads.
//   - Model::register_ ignores keys and has no cas (a cas op is an
//     util::InputError); Model::cas_register ignores keys; Model::kv checks
//     each key as an independent cas register.
//   - Model::mutex (lin_mutex.cpp): acquire and release of one lock, which
//     starts free; Model::multi_register (lin_txn.cpp): txn ops, each a list
//     of reads and writes of several registers that take effect at once.
//   - An op of another model's kind (a txn in a register history, a read in a
//     mutex history) is a util::InputError with id "model".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/checker.hpp"
#include "check/violation.hpp"
#include "history/op.hpp"

namespace faultlab::check {

enum class Model { register_, cas_register, kv, mutex, multi_register };

// The search is exponential in the worst case: it stops and answers
// "unknown" when it has run this long, or remembers this many visited
// configurations (16 bytes each in a table at most 3/4 full: about 200 MB at
// peak for the default 5 million, while the table grows).
// The state limit applies to each key's search (its memory is freed before the
// next key); the time limit to the whole check.
// The clock starts at `started` (default: the call), so that a caller can
// count the time it took to read the history; a time beyond any deadline the
// clock can hold (1e10 s) means no time limit.
struct LinearizabilityBudget {
  double time_s = 10;
  std::size_t max_states = 5'000'000;
  std::optional<std::chrono::steady_clock::time_point> started;
};

// What a register holds before any op, and what a read of nil means.
// faultlab's default: registers start absent and a read of nil saw them
// absent. Knossos's cas-register tests start at 0 and a read of nil is a read
// whose value is unknown (it tells nothing).
enum class NilRead { absent, unknown };
struct RegisterSemantics {
  std::optional<std::int64_t> initial;
  NilRead nil_read = NilRead::absent;
};

enum class LinVerdict { linearizable, not_linearizable, unknown };

struct LinResult {
  LinVerdict verdict = LinVerdict::linearizable;
  // One per key that cannot be linearized, sorted by (time_s, ops).
  std::vector<Violation> violations;
  std::string reason; // for unknown: which budget ran out, on which key
  std::size_t states_explored = 0;
};

// Keys that cannot be linearized are reported even when another key ran out
// of budget (the verdict is then not_linearizable).
LinResult check_linearizability(const history::History& history, Model model,
                                const LinearizabilityBudget& budget, const RegisterSemantics& semantics = {});

// The deadline a budget sets (time_point::max() when there is none).
std::chrono::steady_clock::time_point deadline_of(const LinearizabilityBudget& budget);

// The registry entry: Model::kv with the default budget. An "unknown" result
// (budget ran out) yields no violation: the checker only reports what it can
// prove. `faultlab check` says "unknown" out loud instead.
std::vector<Violation> check_linearizable(const history::History& history, const CheckOptions& options);

// "register", "cas-register", "kv", "mutex", "multi-register", as on the command line.
const char* to_string(Model model);
// The model with that name, std::nullopt for anything else.
std::optional<Model> model_from_string(std::string_view name);

} // namespace faultlab::check
