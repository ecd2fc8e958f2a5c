// faultlab-viz-bench: writes a synthetic trace of about 1M events (a replica
// group under steady load, with drops, a partition and violations), then
// measures what the viewer pays for it: load time, and the per-frame CPU time
// of the visible-range queries and folding at fit-all and at deep zoom.
//
//   faultlab-viz-bench [OUT.jsonl] [--events N]
//
// The trace is kept, so the full render can be timed too:
//   xvfb-run -a faultlab-viz OUT.jsonl --screenshot /tmp/x.png --frames 60
#include "trace_model/load.hpp"
#include "trace_model/node_state.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

using namespace faultlab::viz;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// One op = invoke, request send/deliver, state, reply send/deliver, completion,
// and two replication messages: about 13 lines. Deterministic (seeded).
std::size_t write_trace(const std::string& path, std::size_t target_events) {
  std::ofstream out(path);
  const char* nodes[] = {"web", "db-primary", "db-replica-1", "db-replica-2"};
  out << R"({"format":"faultlab-trace","version":2,"scenario":"bench","file":"bench","variant":"synthetic","seed":1,)"
      << R"("title":"Synthetic 1M-event trace","lesson":"Load and frame time.","design":"bench","duration_s":1000,)"
      << R"("nodes":[{"name":"web","zone":"a","roles":["users:clients"],)"
      << R"("components":[{"component":"users","type":"clients","role":"clients"}]},)";
  for (int i = 1; i <= 3; ++i) {
    const char* role = i == 1 ? "primary" : "replica";
    out << R"({"name":")" << nodes[i] << R"(","zone":"a","roles":["kv:)" << role << R"("],)"
        << R"("components":[{"component":"kv","type":"replica_group","role":")" << role << R"("}]})"
        << (i == 3 ? "]," : ",");
  }
  out << R"("clients":[{"name":"users","node":"web","target":"kv","sessions":100}],"checks":["stale_read"]})"
      << "\n";
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::size_t events = 0, msg = 0;
  std::int64_t op = 0, applied = 0;
  double t = 0.0;
  char line[512];
  auto emit = [&](int n) {
    out << line << '\n';
    events += static_cast<std::size_t>(n);
  };
  while (events < target_events) {
    t += 0.001 + u(rng) * 0.001; // ~650 ops/s
    const bool write = u(rng) < 0.3;
    const int replica = 2 + static_cast<int>(u(rng) * 2);
    const char* target = write ? nodes[1] : nodes[replica];
    const double rtt = 0.001 + u(rng) * 0.002;
    std::snprintf(
        line, sizeof line,
        R"({"t":%.9f,"ev":"op","op":%lld,"type":"invoke","process":%lld,"client":"users","f":"%s","key":"k%lld"})",
        t, static_cast<long long>(op), static_cast<long long>(op % 100), write ? "write" : "read",
        static_cast<long long>(op % 500));
    emit(1);
    const std::size_t req = ++msg;
    std::snprintf(
        line, sizeof line,
        R"({"t":%.9f,"ev":"send","msg":%zu,"from":"web","to":"%s","kind":"%s","op":%lld,"size":1024})", t,
        req, target, write ? "write" : "read", static_cast<long long>(op));
    emit(1);
    const bool dropped = u(rng) < 0.002;
    if (dropped) {
      std::snprintf(
          line, sizeof line,
          R"({"t":%.9f,"ev":"drop","msg":%zu,"from":"web","to":"%s","kind":"read","reason":"random drop"})",
          t + rtt / 2, req, target);
      emit(1);
      std::snprintf(
          line, sizeof line,
          R"({"t":%.9f,"ev":"op","op":%lld,"type":"info","process":%lld,"client":"users","f":"read","error":"timeout"})",
          t + 1.0, static_cast<long long>(op), static_cast<long long>(op % 100));
      emit(1);
      ++op;
      continue;
    }
    std::snprintf(line, sizeof line,
                  R"({"t":%.9f,"ev":"deliver","msg":%zu,"from":"web","to":"%s","kind":"x","op":%lld})",
                  t + rtt / 2, req, target, static_cast<long long>(op));
    emit(1);
    if (write) {
      std::snprintf(
          line, sizeof line,
          R"({"t":%.9f,"ev":"state","node":"db-primary","component":"kv","applied":%lld,"key":"k%lld","value":%lld})",
          t + rtt / 2, static_cast<long long>(++applied), static_cast<long long>(op % 500),
          static_cast<long long>(op));
      emit(1);
      for (int r = 2; r <= 3; ++r) {
        const std::size_t rep = ++msg;
        std::snprintf(
            line, sizeof line,
            R"({"t":%.9f,"ev":"send","msg":%zu,"from":"db-primary","to":"%s","kind":"replicate","size":1024})",
            t + rtt / 2, rep, nodes[r]);
        emit(1);
        std::snprintf(
            line, sizeof line,
            R"({"t":%.9f,"ev":"deliver","msg":%zu,"from":"db-primary","to":"%s","kind":"replicate"})",
            t + rtt / 2 + 0.2 + u(rng), rep, nodes[r]);
        emit(1);
      }
    }
    const std::size_t rep = ++msg;
    std::snprintf(
        line, sizeof line,
        R"({"t":%.9f,"ev":"send","msg":%zu,"from":"%s","to":"web","kind":"reply","op":%lld,"size":64})",
        t + rtt / 2, rep, target, static_cast<long long>(op));
    emit(1);
    std::snprintf(line, sizeof line,
                  R"({"t":%.9f,"ev":"deliver","msg":%zu,"from":"%s","to":"web","kind":"reply","op":%lld})",
                  t + rtt, rep, target, static_cast<long long>(op));
    emit(1);
    std::snprintf(
        line, sizeof line,
        R"({"t":%.9f,"ev":"op","op":%lld,"type":"ok","process":%lld,"client":"users","f":"read","node":"%s","value":%lld})",
        t + rtt, static_cast<long long>(op), static_cast<long long>(op % 100), target,
        static_cast<long long>(op));
    emit(1);
    if (!write && u(rng) < 0.01) {
      std::snprintf(
          line, sizeof line,
          R"({"t":%.9f,"ev":"violation","check":"stale_read","ops":[%lld],"message":"op %lld read a stale value"})",
          t + rtt, static_cast<long long>(op), static_cast<long long>(op));
      emit(1);
    }
    ++op;
  }
  // Deliveries above are written out of time order; the loader sorts its arrays.
  std::snprintf(
      line, sizeof line,
      R"({"t":%.9f,"ev":"end","ops":{"ok":0,"fail":0,"info":0,"total":%lld},"counts":{},"messages":{"sent":0,"delivered":0,"dropped":0}})",
      t + 2.0, static_cast<long long>(op));
  emit(1);
  return events;
}

struct FrameCost {
  double ms = 0.0;
  std::size_t marks = 0;
};

// What one timeline frame computes before drawing: per lane, the folded ops,
// messages per channel and state ticks; the violation strip; the node panel.
FrameCost frame_cost(const Trace& trace, const ViewWindow& w, int repeats) {
  std::vector<Mark> marks;
  std::vector<double> violation_times = trace.violation_times;
  FrameCost c;
  const auto t0 = Clock::now();
  for (int r = 0; r < repeats; ++r) {
    std::size_t n = 0;
    for (const Lane& lane : trace.lanes) {
      marks.clear();
      lane.ops.fold(w, 3.0, 5.0, marks);
      n += marks.size();
      for (const Channel& ch : lane.channels) {
        marks.clear();
        ch.messages.fold(w, 3.0, 6.0, marks);
        n += marks.size();
      }
    }
    marks.clear();
    fold_points(violation_times, w, 50.0, marks);
    n += marks.size();
    n += node_states_at(trace, (w.t0_s + w.t1_s) / 2).size();
    c.marks = n;
  }
  c.ms = ms_since(t0) / repeats;
  return c;
}

} // namespace

int main(int argc, char** argv) {
  std::string path = "/tmp/faultlab-viz-bench.jsonl";
  std::size_t events = 1000000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--events" && i + 1 < argc)
      events = std::stoul(argv[++i]);
    else
      path = a;
  }
  auto t0 = Clock::now();
  const std::size_t written = write_trace(path, events);
  std::printf("wrote %zu events to %s in %.0f ms\n", written, path.c_str(), ms_since(t0));

  t0 = Clock::now();
  Trace trace;
  try {
    trace = load_trace(path);
  } catch (const TraceError& e) {
    std::fprintf(stderr, "faultlab-viz-bench: %s\n", e.what());
    return 1;
  }
  std::printf("load: %.0f ms (%zu events, %zu ops, %zu messages, %zu violations)\n", ms_since(t0),
              trace.event_count, trace.ops.size(), trace.messages.size(), trace.violations.size());

  const double width_px = 1400.0; // the track area of a 1920-px window
  const double end_s = trace.t_end_s();
  const ViewWindow fit{0.0, end_s, width_px / end_s};
  const double mid = end_s / 2;
  const ViewWindow zoom{mid, mid + 0.01, width_px / 0.01}; // 10 ms on screen
  const ViewWindow medium{mid, mid + 2.0, width_px / 2.0};
  for (const auto& [name, w] :
       {std::pair{"fit-all", fit}, std::pair{"2 s window", medium}, std::pair{"deep zoom (10 ms)", zoom}}) {
    const FrameCost c = frame_cost(trace, w, 50);
    std::printf("frame CPU (queries + folding), %-18s %.3f ms, %zu marks\n", name, c.ms, c.marks);
  }
  return 0;
}
