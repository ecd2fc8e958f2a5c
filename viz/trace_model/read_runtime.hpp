// Readers for a service's event loop and logger (loop_lag, log_buffer,
// log_sink) and a queue's events (queue_*), over either field accessor of
// line_access.hpp. Internal to load.cpp. As for the database's events, the
// fields without which an event cannot be placed (its node, its component,
// what it is about) are required.
#pragma once

#include "trace_model/builder.hpp"

#include <string>

namespace faultlab::viz::detail {

// "notifier-1/1 in group notifier" (who, within a group), or the group alone.
template <typename L> std::string queue_member(const L& l) {
  const std::string member = l.string_or("member"), group = l.string("group");
  return member.empty() ? "group " + group : member + " in group " + group;
}

template <typename L> void read_queue_note(TraceBuilder& b, const L& l, double t, const std::string& ev) {
  NoteEvent n;
  n.t_s = t;
  n.lane = b.node_lane(l.string("node"));
  n.ev = ev;
  n.component = l.string("component");
  const std::string why = l.string_or("why");
  if (ev == "queue_assign") {
    n.text = queue_member(l) + " owns partitions " + l.text_or("partitions") + " (" +
             std::to_string(l.integer_or("members", 0)) + " members)";
  } else if (ev == "queue_member_left") {
    n.tone = NoteEvent::Tone::bad;
    n.text = queue_member(l) + " left, with partitions " + l.text_or("partitions");
  } else if (ev == "queue_duplicate") {
    n.tone = NoteEvent::Tone::warn;
    n.text = queue_member(l) + " got partition " + std::to_string(l.integer_or("partition", -1)) + " offset " +
             std::to_string(l.integer_or("offset", -1)) + " again";
  } else if (ev == "queue_lost") {
    n.tone = NoteEvent::Tone::bad;
    n.text = queue_member(l) + " lost " + std::to_string(l.integer_or("messages", 0)) + " messages of partition " +
             std::to_string(l.integer_or("partition", -1));
  } else if (ev == "queue_deliver_failed") {
    n.tone = NoteEvent::Tone::warn;
    n.text = queue_member(l) + " could not deliver partition " + std::to_string(l.integer_or("partition", -1)) +
             " offset " + std::to_string(l.integer_or("offset", -1)) + " (" + l.string_or("error", "?") + ")";
  } else if (ev == "queue_commit_refused") {
    n.tone = NoteEvent::Tone::warn;
    n.text = queue_member(l) + ": its commit of partition " + std::to_string(l.integer_or("partition", -1)) +
             " was refused";
  } else { // queue_retention
    n.text = "topic " + l.string_or("topic", "?") + " partition " + std::to_string(l.integer_or("partition", -1)) +
             ": retention deleted " + std::to_string(l.integer_or("messages", 0)) + " messages";
  }
  if (!why.empty()) n.text += "\n" + why;
  b.note(std::move(n));
}

template <typename L> void read_log_sink(TraceBuilder& b, const L& l, double t) {
  NoteEvent n;
  n.t_s = t;
  n.lane = b.node_lane(l.string("node"));
  n.ev = "log_sink";
  n.component = l.string("component");
  const std::string state = l.string("state"), collector = l.string_or("collector", "?");
  if (state != "unreachable" && state != "reachable")
    l.fail("log_sink \"state\" should be unreachable or reachable, got \"" + state + "\"");
  if (state == "unreachable") {
    n.tone = NoteEvent::Tone::bad;
    n.text = "the log collector " + collector + " stopped answering";
  } else {
    n.text = "the log collector " + collector + " answers again; " + std::to_string(l.integer_or("dropped", 0)) +
             " log lines were dropped meanwhile";
  }
  b.note(std::move(n));
}

template <typename L> void read_log_buffer(TraceBuilder& b, const L& l, double t) {
  const LaneId lane = b.node_lane(l.string("node"));
  const std::string component = l.string("component"), state = l.string("state");
  if (state != "full" && state != "accepting" && state != "lost")
    l.fail("log_buffer \"state\" should be full, accepting or lost, got \"" + state + "\"");
  b.log_buffer(lane, component, state, t, l.integer_or("buffer", 0), l.integer_or("dropped", 0),
               l.integer_or("dropped_while_full", -1));
  if (state == "lost") {
    NoteEvent n;
    n.t_s = t;
    n.lane = lane;
    n.tone = NoteEvent::Tone::bad;
    n.ev = "log_buffer";
    n.component = component;
    n.text = "restarted after a crash: " + std::to_string(l.integer_or("dropped", 0)) +
             " log lines that were in memory are lost";
    b.note(std::move(n));
  }
}

// True when `ev` is one of these kinds (and it was read).
template <typename L> bool read_runtime_event(TraceBuilder& b, const L& l, double t, const std::string& ev) {
  if (ev == "loop_lag") {
    const std::string node = l.string("node");
    b.node_lane(node);
    b.loop_lag(l.string("component"), node, t, l.number("lag_s"));
  } else if (ev == "queue_lag") {
    b.queue_lag(l.string("component"), l.string("group"), t, l.number("lag"));
  } else if (ev == "log_buffer") {
    read_log_buffer(b, l, t);
  } else if (ev == "log_sink") {
    read_log_sink(b, l, t);
  } else if (ev == "queue_assign" || ev == "queue_member_left" || ev == "queue_duplicate" || ev == "queue_lost" ||
             ev == "queue_deliver_failed" || ev == "queue_commit_refused" || ev == "queue_retention") {
    read_queue_note(b, l, t, ev);
  } else {
    return false;
  }
  return true;
}

} // namespace faultlab::viz::detail
