// Invariants of the models themselves: programmer errors, not faults of the
// simulated system. They are checked in every build (as TigerBeetle does),
// because a model that breaks its own rules teaches the wrong lesson without
// a word. A violated invariant prints what broke, the seed and the command
// that reproduces the run, and aborts; no trace is half-written, since traces
// are written only when a run completes.
#pragma once

#include <string>

namespace faultlab::model {

// What a failed invariant prints about the run: set by simulate() for the
// run in progress (one engine, so one run, per process).
void set_invariant_context(std::string run_description);

[[noreturn]] void invariant_failed(const char* condition, const std::string& what, const char* file, int line);

} // namespace faultlab::model

// FAULTLAB_INVARIANT(applied <= log_end, "replica applied past its log"):
// `what` is evaluated only when the condition fails.
#define FAULTLAB_INVARIANT(condition, what)                                                                            \
  do {                                                                                                                 \
    if (!(condition)) ::faultlab::model::invariant_failed(#condition, (what), __FILE__, __LINE__);                    \
  } while (false)
