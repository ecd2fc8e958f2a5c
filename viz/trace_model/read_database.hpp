// Readers for the database component's events (lock_wait, lock_timeout,
// query, pool_wait, level), over either field accessor of line_access.hpp:
// they are flat lines and go through the fast path like op and send lines.
// Internal to load.cpp. Required fields are the ones without which the event
// cannot be placed or paired (its node, component, and what it is about); a
// missing one is an error naming the line, as for every other kind.
#pragma once

#include "trace_model/builder.hpp"

#include <cstdio>
#include <string>

namespace faultlab::viz::detail {

// "api (op 12066) get_order" -> 12066; -1 when `who` names no op (a job).
inline std::int64_t op_in_who(const std::string& who) {
  const std::size_t at = who.find("(op ");
  if (at == std::string::npos) return -1;
  std::int64_t id = 0;
  std::size_t i = at + 4, digits = 0;
  for (; i < who.size() && who[i] >= '0' && who[i] <= '9' && digits < 18; ++i, ++digits)
    id = id * 10 + (who[i] - '0');
  return digits > 0 && i < who.size() && who[i] == ')' ? id : -1;
}

template <typename L> void read_lock_wait(TraceBuilder& b, const L& l, double t) {
  LockWait w;
  w.t_start_s = t;
  w.lane = b.node_lane(l.string("node"));
  w.component = l.string("component");
  w.lock = l.string("lock");
  w.who = l.string("who");
  w.mode = l.string_or("mode");
  w.behind = l.string_or("behind");
  w.queue = l.integer_or("queue", 0);
  w.op = op_in_who(w.who);
  b.lock_wait(std::move(w));
}

template <typename L> void read_lock_timeout(TraceBuilder& b, const L& l, double t) {
  const std::string component = l.string("component");
  const std::string who = l.string("who");
  const double waited_s = l.number_or("waited_s", -1.0);
  char buf[96];
  if (waited_s >= 0)
    std::snprintf(buf, sizeof buf, "gave up after %.3f s (lock_timeout or statement_timeout)", waited_s);
  else
    std::snprintf(buf, sizeof buf, "gave up (lock_timeout or statement_timeout)");
  b.end_lock_waits(component, who, t, LockWait::End::timeout, buf, -1);
}

template <typename L> void read_query(TraceBuilder& b, const L& l, double t) {
  QueryEvent q;
  q.t_s = t;
  q.lane = b.node_lane(l.string("node"));
  q.component = l.string("component");
  q.query = l.string("query");
  q.who = l.string_or("who");
  q.op = l.integer_or("op", -1);
  q.rows_examined = l.number_or("rows_examined", 0.0);
  q.plan = l.string_or("plan");
  q.cpu_s = l.number_or("cpu_s", 0.0);
  q.io_bytes = l.number_or("io_bytes", 0.0);
  q.run_s = l.number_or("run_s", 0.0);
  q.outcome = l.string_or("outcome", "ok");
  b.query(std::move(q));
}

template <typename L> void read_pool_wait(TraceBuilder& b, const L& l, double t) {
  PoolWait p;
  p.t_s = t;
  p.lane = b.node_lane(l.string("node"));
  p.service = l.string("component");
  p.pool = l.string("pool");
  const std::string outcome = l.string("outcome");
  if (outcome != "connection" && outcome != "timeout")
    l.fail("pool_wait \"outcome\" should be connection or timeout, got \"" + outcome + "\"");
  p.timeout = outcome == "timeout";
  p.waited_s = l.number_or("waited_s", 0.0);
  p.in_use = l.integer_or("in_use", 0);
  p.waiting = l.integer_or("waiting", 0);
  p.size = l.integer_or("size", 0);
  b.pool_wait(std::move(p));
}

template <typename L> void read_level(TraceBuilder& b, const L& l, double t) {
  LevelSample s;
  s.t_s = t;
  b.node_lane(l.string("node"));
  const std::string component = l.string("component");
  s.rows = l.number_or("rows", 0.0);
  s.disk_used = l.number_or("disk_used", 0.0);
  s.disk_size = l.number_or("disk_size", -1.0);
  s.memory_used = l.number_or("memory_used", 0.0);
  s.memory_size = l.number_or("memory_size", -1.0);
  s.connections = l.integer_or("connections", 0);
  s.running = l.integer_or("running", 0);
  s.lock_waiting = l.integer_or("lock_waiting", 0);
  s.cache_hit = l.number_or("cache_hit", -1.0);
  b.level(component, s);
}

// True when `ev` is one of the database's kinds (and it was read).
template <typename L> bool read_database_event(TraceBuilder& b, const L& l, double t, const std::string& ev) {
  if (ev == "query")
    read_query(b, l, t);
  else if (ev == "level")
    read_level(b, l, t);
  else if (ev == "lock_wait")
    read_lock_wait(b, l, t);
  else if (ev == "lock_timeout")
    read_lock_timeout(b, l, t);
  else if (ev == "pool_wait")
    read_pool_wait(b, l, t);
  else
    return false;
  return true;
}

} // namespace faultlab::viz::detail
