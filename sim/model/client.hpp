// A group of client sessions (users) sending requests to one component.
//
// Arrivals are open-loop: requests arrive as a Poisson process whatever the
// system's speed, as real users do, so a slow system builds up a backlog
// instead of quietly receiving less load. Each arrival picks a session, an
// operation (from the mix) and a key (uniform or Zipf), and runs in a worker
// actor: what the request does is the driver's part (driver.hpp), which
// depends on the target. A timed-out request is recorded as `info`: the
// client cannot know whether it took effect.
//
// After the workload and a quiet settle period, the group reads back the
// final state of what it touched, so checkers can see it.
#pragma once

#include "model/driver.hpp"

#include <simgrid/s4u.hpp>

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
};

} // namespace faultlab::model
