#include "model/service_loop.hpp"

#include "model/service.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <algorithm>
#include <numeric>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

namespace {
constexpr double kLagProbeEvery_s =
    1.0; // how often the lag probe samples the loop (an observation, not a cost)
} // namespace

EventLoop::EventLoop(Context& context, int node, std::string component)
    : context_(context), node_(node), component_(std::move(component)), thread_(sg4::Semaphore::create(1)) {}

void EventLoop::enter() {
  const double asked_s = sg4::Engine::get_clock();
  thread_->acquire();
  FAULTLAB_INVARIANT(!held_, "an event loop runs one request at a time");
  held_ = true;
  wait_max_s_ = std::max(wait_max_s_, sg4::Engine::get_clock() - asked_s);
}

void EventLoop::leave() {
  FAULTLAB_INVARIANT(held_, "only the request that holds the loop lets go of it");
  held_ = false;
  thread_->release();
}

void EventLoop::start() {
  thread_ = sg4::Semaphore::create(1);
  held_ = false;
}

void EventLoop::abandon() {
  if (!held_) return;
  held_ = false;
  thread_->release();
}

void EventLoop::run_lag_probe() {
  while (true) {
    sg4::this_actor::sleep_for(kLagProbeEvery_s);
    const double due_s = sg4::Engine::get_clock();
    sg4::SemaphorePtr thread = thread_; // (only a new process replaces it, and this actor dies with the old)
    thread->acquire();
    thread->release();
    if (!context_.trace) continue;
    const double now = sg4::Engine::get_clock();
    context_.trace->add(now, history::JsonLine(now, "loop_lag")
                                 .str("node", context_.network.node_name(node_))
                                 .str("component", component_)
                                 .num("lag_s", now - due_s)
                                 .done());
  }
}

Logger::Logger(Context& context, int node, std::string component, const scenario::Logging& spec)
    : context_(context), node_(node), component_(std::move(component)), spec_(spec),
      wake_(sg4::Semaphore::create(0)) {
  if (!spec_.collector.empty()) {
    rpc_ = std::make_unique<Rpc>(context_, node_, component_ + ".log");
    collector_node_ = context_.network.node_index(spec_.collector);
  }
}

bool Logger::write_to_sink(double bytes, std::int64_t lines) {
  const double start_s = sg4::Engine::get_clock();
  bool written = true;
  if (!rpc_) {
    if (bytes >= 1) context_.network.host(node_)->get_disks().front()->write(static_cast<sg_size_t>(bytes));
  } else {
    auto write = std::make_unique<LogWrite>();
    write->lines = lines;
    write->bytes = bytes;
    const auto size_bytes = std::max<std::int64_t>(1, static_cast<std::int64_t>(bytes));
    written = rpc_->call(collector_node_, collector_port(component_),
                         engine::envelope(log_kinds::write, std::move(write), size_bytes),
                         start_s + spec_.timeout_s) != nullptr;
    if (!written) {
      lines_dropped_ += lines;
      if (failing_ == 0) trace_sink("unreachable", 0);
      failing_ += lines;
    } else if (failing_ > 0) {
      trace_sink("reachable", failing_);
      failing_ = 0;
    }
  }
  write_max_s_ = std::max(write_max_s_, sg4::Engine::get_clock() - start_s);
  if (written) lines_written_ += lines;
  return written;
}

void Logger::write_line(double bytes) {
  if (!is_async()) {
    write_to_sink(bytes, 1);
    return;
  }
  const double now = sg4::Engine::get_clock();
  if (static_cast<std::int64_t>(buffer_.size()) >= spec_.buffer_lines) {
    ++lines_dropped_;
    if (dropping_++ == 0) {
      full_since_s_ = now;
      trace_buffer("full", 0, now);
    }
    return;
  }
  if (dropping_ > 0) { // room again: say how many lines this run of drops lost
    trace_buffer("accepting", dropping_, full_since_s_);
    dropping_ = 0;
    full_since_s_ = -1;
  }
  buffer_.push_back(bytes);
  FAULTLAB_INVARIANT(static_cast<std::int64_t>(buffer_.size()) <= spec_.buffer_lines,
                     "the log buffer is bounded");
  if (writer_idle_) {
    writer_idle_ = false;
    wake_->release(); // a simcall last: the buffer is settled
  }
}

void Logger::run_writer() {
  while (true) {
    if (buffer_.empty()) {
      writer_idle_ = true;
      wake_->acquire();
      continue;
    }
    // Everything waiting goes out in one write, as an appender flushes its batch.
    const double bytes = std::accumulate(buffer_.begin(), buffer_.end(), 0.0);
    writing_ = static_cast<std::int64_t>(buffer_.size());
    buffer_.clear();
    write_to_sink(bytes, writing_);
    writing_ = 0;
  }
}

void Logger::start() {
  if (rpc_) rpc_->reset(); // the old process's connection died with it
  const auto lost = static_cast<std::int64_t>(buffer_.size()) + writing_;
  buffer_.clear();
  writing_ = 0;
  wake_ = sg4::Semaphore::create(0);
  writer_idle_ = false;
  // Lines still in the buffer died with the process; and a run of drops
  // still open (the buffer was full when the process died) ends here, so a
  // reader of the trace sees it end.
  if (lost > 0 || dropping_ > 0) {
    lines_dropped_ += lost;
    trace_buffer("lost", lost, sg4::Engine::get_clock());
  }
  dropping_ = 0;
  full_since_s_ = -1;
}

void Logger::trace_sink(const std::string& state, std::int64_t dropped) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "log_sink");
  line.str("node", context_.network.node_name(node_))
      .str("component", component_)
      .str("state", state)
      .str("collector", spec_.collector);
  if (state == "reachable") line.integer("dropped", dropped);
  context_.trace->add(now, line.done());
}

void Logger::trace_buffer(const std::string& state, std::int64_t dropped, double since_s) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  history::JsonLine line(now, "log_buffer");
  line.str("node", context_.network.node_name(node_))
      .str("component", component_)
      .str("state", state)
      .integer("buffer", spec_.buffer_lines);
  if (state != "full") line.integer("dropped", dropped);
  if (state == "accepting") line.num("full_s", now - since_s);
  if (state == "lost" && dropping_ > 0) line.integer("dropped_while_full", dropping_);
  context_.trace->add(now, line.done());
}

// The ServiceModel's side: which instances have a loop and a logger, and
// the steps of a request that use them (called from handle(), serve() and
// restart() in service.cpp).

void ServiceModel::make_runtime(Instance& instance) {
  if (spec_.event_loop) instance.loop = std::make_unique<EventLoop>(context_, instance.node, spec_.name);
  if (spec_.logging)
    instance.logger = std::make_unique<Logger>(context_, instance.node, spec_.name, *spec_.logging);
}

void ServiceModel::start_runtime(Instance& instance) {
  sg4::Host* host = sg4::this_actor::get_host();
  if (instance.loop) {
    instance.loop->start();
    EventLoop* loop = instance.loop.get();
    sg4::Actor::create("loop-lag", host, [loop] {
      daemonize_self();
      loop->run_lag_probe();
    });
  }
  if (instance.logger) {
    instance.logger->start();
    if (instance.logger->is_async()) {
      Logger* logger = instance.logger.get();
      sg4::Actor::create("log-writer", host, [logger] {
        daemonize_self();
        logger->run_writer();
      });
    }
  }
}

void ServiceModel::make_log_collector() {
  if (!spec_.logging || spec_.logging->collector.empty()) return;
  log_collector_ = std::make_unique<Server>(context_, context_.network.node_index(spec_.logging->collector),
                                            Logger::collector_port(spec_.name));
}

// The log collector: takes the lines it is sent one message at a time,
// writes them to its node's disk, and answers.
void ServiceModel::start_log_collector() {
  if (!log_collector_) return;
  log_collector_->start([this] {
    while (true) {
      std::unique_ptr<engine::Envelope> lines = log_collector_->receive();
      const double bytes = lines->payload_as<LogWrite>().bytes;
      if (bytes >= 1) sg4::this_actor::get_host()->get_disks().front()->write(static_cast<sg_size_t>(bytes));
      log_collector_->reply(*lines, log_kinds::written, std::make_unique<LogWritten>(), 64);
    }
  });
}

void ServiceModel::enter_loop(Instance& instance) {
  if (instance.loop) instance.loop->enter();
}

void ServiceModel::leave_loop(Instance& instance) {
  if (instance.loop) instance.loop->leave();
}

void ServiceModel::abandon_loop(Instance& instance) {
  if (instance.loop) instance.loop->abandon();
}

// A call to a dependency is asynchronous I/O: on an event loop the request
// lets go of the thread while it waits for the answer (and for a pooled
// connection, and between retries), and queues for it again afterwards.
ServiceModel::Outcome ServiceModel::call_off_loop(Instance& instance, const scenario::Call& call,
                                                  const engine::Envelope& request) {
  leave_loop(instance);
  Outcome outcome = make_call(instance, call, request);
  enter_loop(instance);
  return outcome;
}

// The request's log line, on the request's own thread: a sync logger holds
// the event loop (if any) until the disk is done, an async one does not wait.
void ServiceModel::log_request(Instance& instance, const scenario::Endpoint& endpoint) {
  if (!instance.logger) return;
  instance.logger->write_line(endpoint.log_bytes >= 0 ? endpoint.log_bytes
                                                      : spec_.logging->bytes_per_request);
}

void ServiceModel::report(ModelStats& stats) const {
  if (!spec_.event_loop && !spec_.logging) return;
  for (const auto& instance : instances_) {
    if (instance->loop) {
      double& wait = stats.values["loop_wait_max_s"];
      wait = std::max(wait, instance->loop->wait_max_s());
    }
    if (instance->logger) {
      stats.values["log_lines_written"] += static_cast<double>(instance->logger->lines_written());
      stats.values["log_lines_dropped"] += static_cast<double>(instance->logger->lines_dropped());
      double& write = stats.values["log_write_max_s"];
      write = std::max(write, instance->logger->write_max_s());
    }
  }
}

} // namespace faultlab::model
