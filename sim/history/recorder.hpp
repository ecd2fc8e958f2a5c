// Records what clients observe while a run goes on: each invoke and each
// completion becomes an Op in the history and an "op" event in the trace.
#pragma once

#include "history/op.hpp"
#include "history/trace_writer.hpp"

namespace faultlab::history {

class Recorder {
public:
  explicit Recorder(TraceWriter* trace) : trace_(trace) {}

  // Returns the new op's id. Ops get ids in invoke order.
  std::int64_t invoke(double t, std::int64_t process, const std::string& client, const std::string& f,
                      const std::string& key, std::optional<std::int64_t> value, bool final_read = false);
  void complete(std::int64_t id, double t, Outcome outcome, std::optional<std::int64_t> value,
                const std::string& node, const std::string& error = "",
                std::optional<std::int64_t> position = std::nullopt,
                std::optional<std::int64_t> term = std::nullopt);
  bool is_open(std::int64_t id) const { return open_[static_cast<std::size_t>(id)] != 0; }
  const Op& op(std::int64_t id) const { return ops_[static_cast<std::size_t>(id)]; }
  std::size_t size() const { return ops_.size(); }

  // Ops still open when the run ends become info: the client never learnt
  // their outcome (its node crashed, or the run stopped first).
  History finish(double end_s);

private:
  TraceWriter* trace_;
  std::vector<Op> ops_;
  std::vector<char> open_;
};

// The trace line of one op event (type "invoke", or the op's outcome).
std::string op_event_line(const Op& op, bool invoke);

} // namespace faultlab::history
