// A service's event loop and logger, and a queue, in the builder: their
// lags as series, a logger's buffer full from "full" until "accepting",
// and the events told in a sentence as notes on their node.
#include "trace_model/builder.hpp"

#include <algorithm>

namespace faultlab::viz {

void TraceBuilder::log_buffer(LaneId lane, const std::string& component, const std::string& state, double t_s,
                              std::int64_t buffer, std::int64_t dropped, std::int64_t dropped_while_full) {
  ++t_.event_count;
  const std::string key = t_.lanes[lane].name + "\n" + component;
  auto open = open_log_buffers_.find(key);
  if (state == "full") {
    if (open != open_log_buffers_.end()) return; // already full: the first "full" holds
    LogBufferSpan s;
    s.t_start_s = s.t_end_s = t_s;
    s.lane = lane;
    s.component = component;
    s.buffer = buffer;
    open_log_buffers_[key] = static_cast<std::uint32_t>(t_.log_buffers.size());
    t_.log_buffers.push_back(std::move(s));
    return;
  }
  // "accepting" (it drained) or "lost" (the process restarted after a
  // crash): the full stretch, if there was one, ends here.
  if (open == open_log_buffers_.end()) return;
  LogBufferSpan& s = t_.log_buffers[open->second];
  s.t_end_s = std::max(s.t_start_s, t_s);
  s.ended = state;
  s.dropped = state == "accepting" ? dropped : dropped_while_full;
  if (state == "lost") s.lost = dropped;
  open_log_buffers_.erase(open);
}

void TraceBuilder::lag(std::vector<LagSeries>& into, const std::string& component, const std::string& group,
                       const std::string& node, double t_s, double value) {
  ++t_.event_count;
  auto it = std::find_if(into.begin(), into.end(), [&](const LagSeries& s) {
    return s.component == component && s.group == group && s.node == node;
  });
  if (it == into.end()) {
    into.push_back(LagSeries{component, group, node, {}});
    it = into.end() - 1;
  }
  it->samples.push_back(LagSample{t_s, value});
}

void TraceBuilder::finish_runtime() {
  const double t_end = t_.end.t_s;
  for (auto& s : t_.log_buffers)
    if (s.ended.empty()) s.t_end_s = std::max(s.t_start_s, t_end);
  auto by_time = [](const LagSample& a, const LagSample& b) { return a.t_s < b.t_s; };
  for (auto* all : {&t_.loop_lags, &t_.queue_lags})
    for (auto& series : *all) std::stable_sort(series.samples.begin(), series.samples.end(), by_time);
  std::stable_sort(t_.notes.begin(), t_.notes.end(), [](const NoteEvent& a, const NoteEvent& b) { return a.t_s < b.t_s; });
  std::stable_sort(t_.log_buffers.begin(), t_.log_buffers.end(),
                   [](const LogBufferSpan& a, const LogBufferSpan& b) { return a.t_start_s < b.t_start_s; });
  for (std::size_t i = 0; i < t_.notes.size(); ++i)
    t_.lanes[t_.notes[i].lane].notes.push_back(static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < t_.log_buffers.size(); ++i)
    t_.lanes[t_.log_buffers[i].lane].log_buffers.push_back(static_cast<std::uint32_t>(i));
}

} // namespace faultlab::viz
