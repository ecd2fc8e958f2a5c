// How one service instance runs its requests, beyond the actor each gets:
// an event loop (one thread, as Node.js) and a logger (a line per request
// to the node's disk, written synchronously or through a bounded buffer).
//
// The event loop is a SimGrid semaphore of one: a request holds it while it
// runs on the thread (its CPU work, a synchronous log write), and the
// requests that want the thread meanwhile wait for it in FIFO order. Calls
// to dependencies are asynchronous I/O: the request lets go of the loop
// while it waits for their answers, as a Node.js callback does. So one
// request stuck in a synchronous step stops every other request of the
// instance, even those that do almost nothing.
//
// The logger writes to the instance node's SimGrid disk: a line of B bytes
// takes B / (write bandwidth) seconds, shared with whatever else writes on
// that disk, and a slow_disk fault divides the bandwidth.
//   sync:  the request writes its line and waits until the disk is done
//          (on an event loop it holds the loop all that time);
// With a collector as its sink the logger sends the lines over the network
// instead (a message of their size) to the collector's node, which writes
// them to its own disk and answers; a write that gets no answer within the
// logger's timeout (a partition, a slow link) loses its lines, counted as
// dropped.
//   async: the request puts the line in an in-memory buffer of at most
//          `buffer` lines and goes on; a writer actor takes everything in
//          the buffer and writes it in one go, again and again. A line
//          that finds the buffer full is dropped and counted: the logger
//          never blocks a request, it loses log lines instead.
#pragma once

#include "components/service/spec.hpp"
#include "engine/message.hpp"
#include "model/context.hpp"
#include "model/rpc.hpp"

#include <simgrid/s4u.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace faultlab::model {

// Logger -> log collector: lines to write; the collector answers once its disk has them.
struct LogWrite final : engine::Payload {
  std::int64_t lines = 0;
  double bytes = 0;
};
struct LogWritten final : engine::Payload {};

namespace log_kinds {
inline const engine::MessageKind write = engine::message_kind<LogWrite>("log_write");
inline const engine::MessageKind written = engine::message_kind<LogWritten>("log_written");
} // namespace log_kinds

class EventLoop {
public:
  EventLoop(Context& context, int node, std::string component);
  // Waits for the thread (FIFO behind the requests already waiting).
  void enter();
  void leave();
  // A new process starts (the first start, after a crash): a free thread,
  // nobody waiting (the actors of the old process died with it).
  void start();
  // A deploy killed the requests of the old process: the one that held the
  // thread cannot let go of it, so it is let go for it.
  void abandon();
  // An actor that every second queues for the loop like a timer callback
  // and traces how long it waited (Node's event loop lag).
  void run_lag_probe();
  double wait_max_s() const { return wait_max_s_; }

private:
  Context& context_;
  int node_;
  std::string component_;
  simgrid::s4u::SemaphorePtr thread_;
  bool held_ = false;
  double wait_max_s_ = 0;
};

class Logger {
public:
  Logger(Context& context, int node, std::string component, const scenario::Logging& spec);
  // Writes the request's log line of `bytes` (sync: waits for the disk;
  // async: buffers it or drops it, never waits).
  void write_line(double bytes);
  // The async writer's body (runs in an actor of its own on the node).
  void run_writer();
  // A new process starts after a crash: the lines the old one held in
  // memory (buffered or being written) are lost, counted as dropped.
  void start();
  bool is_async() const { return spec_.mode == scenario::Logging::Mode::async; }

  std::int64_t lines_written() const { return lines_written_; }
  std::int64_t lines_dropped() const { return lines_dropped_; }
  double write_max_s() const { return write_max_s_; }

  // The port a service's log collector listens on.
  static std::string collector_port(const std::string& component) { return component + ".logs"; }

private:
  // One write of `lines` lines, `bytes` in all, to the sink; false when the
  // collector did not answer in time (the lines are lost and counted).
  bool write_to_sink(double bytes, std::int64_t lines);
  void trace_buffer(const std::string& state, std::int64_t dropped, double since_s);
  void trace_sink(const std::string& state, std::int64_t dropped);

  Context& context_;
  int node_;
  std::string component_;
  const scenario::Logging& spec_;
  std::deque<double> buffer_;       // async: the lines' sizes, oldest first; at most spec_.buffer_lines
  std::int64_t writing_ = 0;        // async: lines the writer has taken and not yet written
  simgrid::s4u::SemaphorePtr wake_; // async: released when a line arrives for an idle writer
  bool writer_idle_ = false;
  std::int64_t lines_written_ = 0;
  std::int64_t lines_dropped_ = 0;
  std::unique_ptr<Rpc> rpc_; // collector: the logger's connection to it
  int collector_node_ = -1;
  std::int64_t failing_ = 0;  // collector: lines lost since its last answer
  std::int64_t dropping_ = 0; // lines dropped since the buffer was last found full
  double full_since_s_ = -1;  // when the current run of drops began (-1: none)
  double write_max_s_ = 0;
};

} // namespace faultlab::model
