// Loading and validating a trace file. Every problem becomes a TraceError with
// a message that names the file (and the line, when there is one); no input,
// however wrong, crashes the viewer.
#pragma once

#include "trace_model/trace.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace faultlab::viz {

// 2 adds each header node's "components" (type and role); event lines are as in 1.
constexpr int kTraceFormatVersion = 2;

class TraceError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Reads, validates and indexes the trace at `path`. Throws TraceError.
Trace load_trace(const std::string& path);

// Same, from text already in memory (`name` is used in messages).
Trace parse_trace(std::string_view text, const std::string& name);

} // namespace faultlab::viz
