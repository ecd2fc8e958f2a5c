// An autoscaler's events in the builder: its samples by autoscaler, its
// decisions and failures as marks, and each instance's stretches out of
// service (spare) or on their way in (provisioning), from the phase changes
// the autoscaler wrote and the role the header gives each instance.
#include "trace_model/builder.hpp"

#include <algorithm>
#include <map>

namespace faultlab::viz {

void TraceBuilder::autoscale(ScalingEvent e, const ScalingSample& sample) {
  ++t_.event_count;
  // Every event says how many instances serve and provision after it; only
  // a scrape says what the autoscaler wants, which holds until the next.
  auto it = std::find_if(t_.scaling.begin(), t_.scaling.end(),
                         [&](const ScalingSeries& s) { return s.component == e.component; });
  if (it == t_.scaling.end()) {
    t_.scaling.push_back(ScalingSeries{e.component, e.service, {}});
    it = t_.scaling.end() - 1;
  }
  ScalingSample point = sample;
  point.scrape = e.action == "sample";
  if (!point.scrape) point.desired = it->samples.empty() ? e.instances : it->samples.back().desired;
  it->samples.push_back(point);
  if (point.scrape) return;
  const bool phase_change =
      e.action == "provisioning" || e.action == "joined" || e.action == "provision_failed" || e.action == "left";
  if (phase_change && !e.instance.empty()) phase_changes_.emplace_back(node_lane(e.instance), e);
  // A phase change that went as planned is drawn on the instance; the
  // decisions and what went wrong are marks on the autoscaler's node.
  if (e.action != "provisioning" && e.action != "joined" && e.action != "left")
    t_.scaling_events.push_back(std::move(e));
}

void TraceBuilder::finish_scaling() {
  if (phase_changes_.empty() && t_.scaling_events.empty() && t_.scaling.empty()) return;
  const double t_end = t_.end.t_s;
  for (auto& series : t_.scaling)
    std::stable_sort(series.samples.begin(), series.samples.end(),
                     [](const ScalingSample& a, const ScalingSample& b) { return a.t_s < b.t_s; });
  std::stable_sort(t_.scaling_events.begin(), t_.scaling_events.end(),
                   [](const ScalingEvent& a, const ScalingEvent& b) { return a.t_s < b.t_s; });
  std::stable_sort(phase_changes_.begin(), phase_changes_.end(),
                   [](const auto& a, const auto& b) { return a.second.t_s < b.second.t_s; });

  // Where each instance of each service stands, by lane and service: an
  // open span (provisioning or spare), or serving (no span).
  struct Where {
    bool serving = true;
    std::size_t span = 0; // index into t_.scaling_spans when not serving
  };
  std::map<std::pair<LaneId, std::string>, Where> where;
  auto open = [&](LaneId lane, ScalingSpan::Phase phase, double t_s, const ScalingEvent& by, std::string why) {
    ScalingSpan s;
    s.phase = phase;
    s.lane = lane;
    s.t_start_s = t_s;
    s.t_end_s = -1.0;
    s.component = by.component;
    s.service = by.service;
    s.why = std::move(why);
    where[{lane, by.service}] = Where{false, t_.scaling_spans.size()};
    t_.scaling_spans.push_back(std::move(s));
  };
  auto close = [&](LaneId lane, const std::string& service, double t_s, const std::string& action) {
    auto it = where.find({lane, service});
    if (it == where.end() || it->second.serving) return;
    ScalingSpan& s = t_.scaling_spans[it->second.span];
    s.t_end_s = std::max(s.t_start_s, t_s);
    s.ended = action;
    it->second.serving = true;
  };

  // Instances the header calls spare are out of service from the start.
  // (An autoscaler that never acted still wrote its scrapes.)
  std::map<std::string, ScalingEvent> first_of_service; // service -> its autoscaler
  for (const auto& [lane, e] : phase_changes_) first_of_service.emplace(e.service, e);
  for (const auto& e : t_.scaling_events) first_of_service.emplace(e.service, e);
  for (const auto& series : t_.scaling) {
    ScalingEvent e;
    e.component = series.component;
    e.service = series.service;
    first_of_service.emplace(series.service, e);
  }
  for (const auto& [service, e] : first_of_service) {
    for (std::size_t i = 0; i < t_.lanes.size(); ++i) {
      const Lane& lane = t_.lanes[i];
      if (lane.kind != LaneKind::node) continue;
      for (const NodeComponent& c : lane.components)
        if (c.component == service && c.role == "spare")
          open(static_cast<LaneId>(i), ScalingSpan::Phase::spare, 0.0, e, "");
    }
  }

  for (const auto& [lane, e] : phase_changes_) {
    if (e.action == "provisioning") {
      close(lane, e.service, e.t_s, e.action);
      open(lane, ScalingSpan::Phase::provisioning, e.t_s, e, e.why);
    } else if (e.action == "joined") {
      close(lane, e.service, e.t_s, e.action);
    } else if (e.action == "provision_failed") {
      close(lane, e.service, e.t_s, e.action);
      open(lane, ScalingSpan::Phase::spare, e.t_s, e, "provisioning failed: " + e.why);
    } else { // left
      close(lane, e.service, e.t_s, e.action);
      open(lane, ScalingSpan::Phase::spare, e.t_s, e, e.why);
    }
  }
  for (auto& s : t_.scaling_spans)
    if (s.t_end_s < 0) s.t_end_s = std::max(s.t_start_s, t_end);
  std::stable_sort(t_.scaling_spans.begin(), t_.scaling_spans.end(),
                   [](const ScalingSpan& a, const ScalingSpan& b) { return a.t_start_s < b.t_start_s; });
  for (std::size_t i = 0; i < t_.scaling_spans.size(); ++i)
    t_.lanes[t_.scaling_spans[i].lane].scaling_spans.push_back(static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < t_.scaling_events.size(); ++i)
    t_.lanes[t_.scaling_events[i].lane].scaling_events.push_back(static_cast<std::uint32_t>(i));
}

} // namespace faultlab::viz
