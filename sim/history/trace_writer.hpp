// Collects a run's trace (ops, messages, faults, node states, violations) and
// writes it as JSON Lines: a header line, then one event per line in time
// order, then an "end" line. The file appears under its final name only when
// it is complete (written to a temporary name, then renamed).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace faultlab::history {

constexpr const char* kTraceFormat = "faultlab-trace";
constexpr const char* kHistoryFormat = "faultlab-history";
// 2: each header node lists its components ({component, type, role}); event
// lines are as in 1. Readers accept 1 and 2.
constexpr int kTraceVersion = 2;

class TraceWriter {
public:
  // `record_events` false: nothing will read this run's trace (no file, no
  // explanations, no profile, no recovery to measure), so add() keeps no
  // event, and the models, asking recording(), build none of their lines.
  TraceWriter(std::int64_t max_events, bool record_messages, bool record_events = true)
      : max_events_(max_events), record_messages_(record_messages && record_events), record_events_(record_events) {}

  // Whether events are kept at all.
  bool recording() const { return record_events_; }
  // Message events are the bulk of a trace; runs that write no trace skip them.
  bool record_messages() const { return record_messages_; }

  void add(double t, std::string line);
  std::size_t size() const { return events_.size(); }
  bool overflowed() const { return overflowed_; }
  std::int64_t max_events() const { return max_events_; }
  // Every event line so far, in the order they were added (not by time).
  void for_each_line(const std::function<void(const std::string& line)>& visit) const {
    for (const auto& e : events_) visit(e.line);
  }

  // Writes `header`, the events sorted by time (ties keep insertion order),
  // and `end`, atomically. `only_ops` keeps just op events (a history file).
  void write_file(const std::string& path, const nlohmann::ordered_json& header, const nlohmann::ordered_json& end,
                  bool only_ops = false) const;
  // Calls `visit(t, line)` for each event in the order write_file writes them.
  void for_each_in_order(const std::function<void(double t, const std::string& line)>& visit) const;

private:
  struct Event {
    double t;
    std::uint64_t seq;
    std::string line;
  };
  std::int64_t max_events_;
  bool record_messages_;
  bool record_events_;
  bool overflowed_ = false;
  // A deque: growing it never moves the lines already added (a vector's
  // reallocations copied every event so far, a few per cent of a run).
  std::deque<Event> events_;
  std::vector<const Event*> in_order(bool only_ops) const;
};

// Writes `text` to `path` through a temporary file and a rename. Throws
// std::runtime_error naming the path when that fails.
void write_file_atomically(const std::string& path, const std::string& text);
// The same, with `write` filling the (buffered) temporary file; it returns
// false when a write failed.
void write_atomically(const std::string& path, const std::function<bool(std::FILE*)>& write);

} // namespace faultlab::history
