// A group of client sessions (users) sending requests to one component.
//
// Arrivals are open-loop: requests arrive as a Poisson process whatever the
// system's speed, as real users do, so a slow system builds up a backlog
// instead of quietly receiving less load. Each arrival picks a session, an
// operation (from the mix) and a key (uniform or Zipf), and runs in a worker
// actor, or, when the driver's requests are one exchange each, with no actor
// of its own: what the request does is the driver's part (driver.hpp), which
// depends on the target. A timed-out request is recorded as `info`: the
// client cannot know whether it took effect.
//
// After the workload and a quiet settle period, the group reads back the
// final state of what it touched, so checkers can see it.
#pragma once

#include "model/driver.hpp"

#include <simgrid/s4u.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace faultlab::model {

class ClientGroupModel {
public:
  ClientGroupModel(const scenario::Client& spec, Components& components, Context& context);

  void start();
  const ClientDriver& driver() const { return *driver_; }

private:
  // A request runs in a worker actor. Workers are reused once their request
  // is done (creating and destroying an actor per request was a third of
  // the run time); a new one starts only when every worker is busy, so
  // arrivals stay open-loop.
  struct Worker {
    simgrid::s4u::SemaphorePtr wake;
    std::optional<ClientRequest> task;
  };
  void dispatch(const ClientRequest& request);
  void work(Worker& worker);
  // One-exchange requests (driver.hpp): sent by the arrival process itself
  // and answered to one mailbox per node asked (a connection), where one
  // receiver per node takes the answers; one timer ends the requests whose
  // deadline comes first. (A receive with a timeout would not do: when it
  // times out, SimGrid cancels the transfer it was matched with, which here
  // would be another request's answer. And one mailbox for every node would
  // hold a quick answer behind a slower one sent earlier.)
  void send_one_exchange(const ClientRequest& request);
  simgrid::s4u::Mailbox* replies_from(int node);
  void receive_answers(simgrid::s4u::Mailbox* mailbox);
  void expire_deadlines();
  void answered();

  void generate(); // the arrival process
  void final_reads();
  double rate_at(double t) const;
  const std::string& pick_op();

  const scenario::Client& spec_;
  Context& context_;
  int node_;
  util::Rng rng_;
  std::unique_ptr<util::Zipf> zipf_;
  std::unique_ptr<ClientDriver> driver_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> idle_; // most recently idle last
  bool closing_ = false;      // no more arrivals: idle workers end

  // One-exchange requests in flight, by exchange id, and their deadlines in
  // the order they were sent (one timeout per group: that is time order).
  struct Awaited {
    std::uint64_t exchange;
    double local_deadline_s; // on the client node's own clock, as a receive's timeout counts
  };
  std::unique_ptr<Rpc> replies_rpc_; // null: the driver's requests run in workers
  std::map<int, simgrid::s4u::Mailbox*> replies_; // by the node asked
  std::map<std::uint64_t, OneExchange> in_flight_;
  std::deque<Awaited> deadlines_;
  // Wakes the timer: a request sent while it had none to wait for, or the
  // last one answered after the arrivals ended (a spare wake-up is harmless).
  simgrid::s4u::SemaphorePtr wake_timer_;
  bool timer_idle_ = false;
};

} // namespace faultlab::model
