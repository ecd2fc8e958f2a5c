// faultlab export: a trace in another tool's format.
//
//   perfetto      Chrome trace-event JSON (opens in Perfetto and chrome://tracing):
//                 a track per node and per client session, ops as slices,
//                 messages as flows from send to delivery, faults as slices on
//                 a faults track, violations as instant events, and a counter
//                 of each client group's ops in flight.
//   edn           the client history as Jepsen EDN (:invoke/:ok/:fail/:info,
//                 :process, :time in ns, :index), values as [key value] tuples,
//                 so Knossos or `faultlab check --model kv` can check it.
//   json-history  the same ops as JSON objects, one per line.
#pragma once

#include <iosfwd>
#include <string>

namespace faultlab::cli {

struct ExportArgs {
  std::string trace;  // a faultlab trace (or history) file
  std::string format; // perfetto, edn, json-history
  std::string out;    // the file to write (atomically)
};

// 0 written, 2 bad input.
int command_export(const ExportArgs& args, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
