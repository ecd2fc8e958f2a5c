#include "raw_simgrid.hpp"

#include "util/rng.hpp"

#include <simgrid/s4u.hpp>

#include <cstdlib>

namespace sg4 = simgrid::s4u;

namespace faultlab::bench {

namespace {


// glibc serves blocks above its mmap threshold (128 KiB at start) with
// mmap/munmap, and raises the threshold to the size of the largest mmapped
// block freed so far. A SimGrid actor stack (256 KiB + guard page) is above
// it, and a program that frees nothing bigger keeps paying an mmap, a munmap
// and TLB flushes per actor. faultlab frees bigger blocks within its first
// simulated second (its history and trace vectors grow past 256 KiB), so its
// actor stacks come from the heap. Freeing one 1 MiB block puts the raw part
// in the same state: otherwise it measures glibc, not SimGrid.
void prime_malloc_threshold() {
  constexpr std::size_t kBlock = 1 << 20;
  volatile char* block = static_cast<volatile char*>(std::malloc(kBlock));
  if (block == nullptr) return;
  block[0] = 1;
  block[kBlock - 1] = 1;
  std::free(const_cast<char*>(block));
}

struct RawMessage {
  std::int64_t op;
  sg4::Mailbox* reply_to;
};

// One client group and one server on two hosts. Ownership of a RawMessage:
// the client allocates the request; the server receives it and sends the
// same object back as the reply; whoever receives the reply deletes it (a
// late reply to an op that timed out is deleted by the next user of the slot).
class RawBench {
public:
  explicit RawBench(const RawOptions& options) : options_(options), rng_(faultlab::util::Rng::stream(options.seed, "raw")) {}

  Json run() {
    if (options_.prime_malloc) prime_malloc_threshold();
    const double started = wall_now();
    const double cpu_started = cpu_now();
    std::vector<std::string> args{"faultlab-bench"};
    for (const auto& flag : faultlab_simgrid_flags()) args.push_back(flag);
    for (const auto& flag : options_.extra_flags) args.push_back(flag);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int argc = static_cast<int>(args.size());
    sg4::Engine engine(&argc, argv.data());

    auto* zone = sg4::create_full_zone("world");
    client_host_ = zone->create_host("web", 1e9);
    server_host_ = zone->create_host("db", 1e9);
    auto* link = zone->create_link("web<->db", options_.bandwidth_Bps);
    link->set_latency(options_.latency_s);
    zone->add_route(client_host_->get_netpoint(), server_host_->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(link)}, true);
    zone->seal();
    server_ = sg4::Mailbox::by_name("db/server");

    sg4::Actor::create("server", server_host_, [this] { serve(); })->daemonize();
    sg4::Actor::create("users", client_host_, [this] { generate(); });
    const double run_started = wall_now();
    engine.run();
    const double run_wall = wall_now() - run_started;
    const double wall = wall_now() - started;
    const double cpu = cpu_now() - cpu_started;

    Json out;
    out["requests"] = options_.requests;
    out["completed"] = completed_;
    out["timeouts"] = timeouts_;
    out["messages_sent"] = sent_;
    out["messages_delivered"] = delivered_;
    out["sim_time_s"] = sg4::Engine::get_clock();
    out["wall_s"] = wall;
    out["engine_run_wall_s"] = run_wall;
    out["cpu_s"] = cpu;
    out["msgs_per_s"] = per_second(static_cast<double>(sent_), wall);
    out["msgs_per_cpu_s"] = per_second(static_cast<double>(sent_), cpu);
    out["requests_per_s"] = per_second(static_cast<double>(completed_), wall);
    out["max_rss_kib"] = max_rss_kib();
    out["malloc_primed"] = options_.prime_malloc;
    out["closed_loop"] = options_.closed_loop;
    return out;
  }

private:
  // Open-loop arrivals: a new request every exponential gap, whatever the
  // server's speed, each in its own actor (as ClientGroupModel::generate).
  void generate() {
    if (options_.closed_loop) {
      for (std::int64_t i = 0; i < options_.requests; ++i) perform(i);
      return;
    }
    double now = 0;
    for (std::int64_t i = 0; i < options_.requests; ++i) {
      now += rng_.exponential(1.0 / options_.rate_per_s);
      sg4::this_actor::sleep_until(now);
      sg4::Actor::create("op", client_host_, [this, i] { perform(i); });
    }
  }

  void perform(std::int64_t op) {
    sg4::Mailbox* slot = acquire_slot();
    slot->set_receiver(sg4::Actor::self());
    server_->put_init(new RawMessage{op, slot}, options_.message_bytes)->detach();
    ++sent_;
    const double deadline = sg4::Engine::get_clock() + options_.timeout_s;
    while (true) {
      const double remaining = deadline - sg4::Engine::get_clock();
      if (remaining <= 0) {
        ++timeouts_;
        break;
      }
      RawMessage* reply = nullptr;
      try {
        reply = slot->get<RawMessage>(remaining);
      } catch (const simgrid::TimeoutException&) {
        ++timeouts_;
        break;
      }
      ++delivered_;
      const bool mine = reply->op == op;
      delete reply;
      if (mine) {
        ++completed_;
        break;
      }
    }
    free_slots_.push_back(slot);
  }

  void serve() {
    server_->set_receiver(sg4::Actor::self());
    while (true) {
      auto* request = server_->get<RawMessage>();
      ++delivered_;
      if (options_.service_s > 0) sg4::this_actor::execute(options_.service_s * server_host_->get_speed());
      request->reply_to->put_init(request, options_.message_bytes)->detach();
      ++sent_;
    }
  }

  sg4::Mailbox* acquire_slot() {
    if (!free_slots_.empty()) {
      sg4::Mailbox* slot = free_slots_.back();
      free_slots_.pop_back();
      return slot;
    }
    return sg4::Mailbox::by_name("web/users#" + std::to_string(slot_count_++));
  }

  RawOptions options_;
  faultlab::util::Rng rng_;
  sg4::Host* client_host_ = nullptr;
  sg4::Host* server_host_ = nullptr;
  sg4::Mailbox* server_ = nullptr;
  std::vector<sg4::Mailbox*> free_slots_;
  int slot_count_ = 0;
  std::int64_t sent_ = 0, delivered_ = 0, completed_ = 0, timeouts_ = 0;
};

} // namespace

Json run_raw_simgrid(const RawOptions& options) { return RawBench(options).run(); }

} // namespace faultlab::bench
