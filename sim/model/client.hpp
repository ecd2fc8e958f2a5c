// A group of client sessions (users) sending requests to one component.
//
// Arrivals are open-loop: requests arrive as a Poisson process whatever the
// system's speed, as real users do, so a slow system builds up a backlog
// instead of quietly receiving less load. Each arrival picks a session, an
// operation (read or write, from the mix) and a key (uniform or Zipf), and
// runs as its own small actor: send the request, wait for the answer until
// the timeout, record what was seen. A timed-out request is recorded as
// `info`: the client cannot know whether it took effect.
//
// After the workload and a quiet settle period, the group reads back every
// key it wrote from the primary, so checkers can see the final state.
#pragma once

#include "model/context.hpp"
#include "model/replica_group.hpp"

#include <simgrid/s4u.hpp>

#include <set>
#include <vector>

namespace faultlab::model {

class ClientGroupModel {
public:
  ClientGroupModel(const scenario::Client& spec, const ReplicaGroupModel& target, Context& context);

  void start();

private:
  struct Request {
    std::int64_t session;
    bool write;
    std::string key;
    bool final_read = false;
  };
  struct Answer {
    history::Outcome outcome = history::Outcome::info;
    std::optional<std::int64_t> value;
    std::string node;
    std::string error;
    std::int64_t position = 0;
    std::int64_t term = 0;
    int leader_hint = -1;
  };

  // A request runs in a worker actor. Workers are reused once their request
  // is done (creating and destroying an actor per request was a third of
  // the run time); a new one starts only when every worker is busy, so
  // arrivals stay open-loop.
  struct Worker {
    simgrid::s4u::SemaphorePtr wake;
    std::optional<Request> task;
  };
  void dispatch(const Request& request);
  void work(Worker& worker);

  void generate();                  // the arrival process
  void perform(Request request);    // one request, then its follow-up read if any
  void final_reads();
  Answer exchange(const Request& request, std::int64_t op, std::optional<std::int64_t> value, int target,
                  double deadline_s, simgrid::s4u::Mailbox* slot);
  int choose_read_target();
  int next_member(int node) const;
  double rate_at(double t) const;
  simgrid::s4u::Mailbox* acquire_slot();
  void release_slot(simgrid::s4u::Mailbox* slot) { free_slots_.push_back(slot); }

  const scenario::Client& spec_;
  const ReplicaGroupModel& target_;
  Context& context_;
  int node_;
  util::Rng rng_;
  std::unique_ptr<util::Zipf> zipf_;
  std::vector<std::int64_t> session_position_; // last acknowledged write position per session
  std::set<std::string> written_keys_;         // ordered: final reads happen in a fixed order
  std::vector<simgrid::s4u::Mailbox*> free_slots_;
  int slot_count_ = 0;
  int nearest_ = -1;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> idle_; // most recently idle last
  bool closing_ = false;      // no more arrivals: idle workers end
  int leader_ = -1; // where this client group believes the primary is (it can be stale)
};

} // namespace faultlab::model
