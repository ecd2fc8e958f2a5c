// Why a violation happened, from what the trace shows: for each write in the
// violation, when did the node that answered the violating read apply it?
// ("profile:178=1 reached db-replica-1 at 0.014 s, before the read, but
// db-replica-1 applied it only at 0.586 s, 0.421 s after it answered the read.")
// When a cache answered, the question is instead which fill it served the read
// from, and whether that fill came after the write's delete.
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

struct AppliedAt {
  std::int64_t write_op = -1;
  std::int64_t read_op = -1;
  LaneId node = kNoLane; // the node that answered the read
  std::string key, value;
  double t_read_s = 0.0;     // completion of the read
  double t_applied_s = -1.0; // -1: never applied in the trace
  double t_origin_s = -1.0;  // when the first node (the primary) applied it
  std::int64_t carrier = -1; // index in Trace::messages of the message that brought it, if found
  // When the carrier reached the answering node (-1: dropped, or no carrier).
  // A replica may hold an entry a long while before applying it (its lag):
  // then the arrival is before the read and the apply after it.
  double t_arrival_s = -1.0;
  // When a cache answered the read, t_applied_s is instead the fill that served it.
  bool cache = false;
  std::string filled_value;    // what that fill stored ("" = nothing)
  double t_delete_s = -1.0;    // the cache's last delete of the key between the write and that fill
  std::int64_t filler_op = -1; // the op whose cache_set made the fill (the carrier's op)
};

// One entry per (write, node that answered a read of its key) among the violation's ops.
std::vector<AppliedAt> explain_violation(const Trace& trace, const Violation& v);

// A plain sentence for one entry.
std::string describe(const Trace& trace, const AppliedAt& a);

} // namespace faultlab::viz
