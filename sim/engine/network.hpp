// The one network layer every message goes through.
//
// SimGrid carries the bytes (latency and bandwidth of the platform's links);
// this layer decides whether a message gets through at all and when: it
// applies partitions (symmetric or one-way), random drops and extra delay
// from the fault timeline, loses messages to crashed nodes, and reports
// every send, delivery and drop to the trace. Models never call each other:
// they send messages here, so a partition can cut anything.
#pragma once

#include "engine/message.hpp"
#include "history/trace_writer.hpp"
#include "util/rng.hpp"

#include <simgrid/s4u.hpp>

#include <deque>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace faultlab::engine {

class Network {
public:
  Network(std::vector<std::string> node_names, std::vector<simgrid::s4u::Host*> hosts, util::Rng rng,
          history::TraceWriter* trace);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  int node_count() const { return static_cast<int>(names_.size()); }
  int node_index(const std::string& name) const; // -1 if unknown
  const std::string& node_name(int index) const { return names_[index]; }
  simgrid::s4u::Host* host(int index) const { return hosts_[index]; }

  // The mailbox of a port on a node, e.g. ("db-1", "profiles").
  static std::string address(const std::string& node, const std::string& port) { return node + "/" + port; }

  // Sends `message` from node `from` to the mailbox `to_address` on node
  // `to`. Never blocks the caller.
  void send(int from, int to, const std::string& to_address, std::unique_ptr<Envelope> message);

  // Waits for the next message on `mailbox` for at most `timeout_s`
  // (negative: forever; zero: only take what has already arrived). Returns
  // nullptr on timeout. `keep_posted` (a server's inbox, which one actor
  // reads at a time): a wait that times out leaves its receive posted, so a
  // message already on the wire to it still arrives. Without it SimGrid
  // cancels the transfer the timed-out receive had matched; reply mailboxes
  // (Rpc) still wait that way, see the note in rpc.hpp. That message is then
  // dropped, reason "caller gave up", at the instant the wait ended.
  std::unique_ptr<Envelope> receive(simgrid::s4u::Mailbox* mailbox, double timeout_s = -1.0,
                                    bool keep_posted = false);

  // Fault state, driven by the fault schedule.
  struct Partition {
    std::vector<int> group_of; // per node: group index, -1 if not in any group
    int one_way_from = -1;     // group indices; -1: symmetric
    int one_way_to = -1;
  };
  void add_partition(const std::string& name, Partition partition);
  void heal(const std::string& name); // "" heals all
  void add_drop(const std::string& name, std::vector<int> nodes, double probability);
  void add_delay(const std::string& name, std::vector<int> nodes, double extra_s, double jitter_s = 0.0);
  // Each message to or from `nodes` is, with `probability`, delivered twice
  // (the copy has its own id; its send line says which message it copies).
  void add_duplicate(const std::string& name, std::vector<int> nodes, double probability);
  // Each message to or from `nodes` is, with `probability`, held back for a
  // uniform draw in (0, window], so messages sent after it overtake it.
  void add_reorder(const std::string& name, std::vector<int> nodes, double probability, double window_s);
  void remove_rule(const std::string& name);
  void set_up(int node, bool up);
  bool is_up(int node) const { return up_[node]; }
  // While a node is paused, messages to it are held by the network and
  // handed over, in order, when it resumes (its socket buffers fill up).
  void set_paused(int node, bool paused);
  bool is_paused(int node) const { return paused_[node]; }
  // How many messages the network holds for one paused node before it
  // drops new ones with reason "queue full" (limits.max_queue).
  void set_max_held(std::size_t max_held) { max_held_ = max_held; }
  // Actors that pause themselves: the fault schedule leaves them alone when
  // their node pauses, and they call pause_point() when they wake up.
  // SimGrid's suspend() is only safe for actors blocked in a plain receive,
  // a sleep or a computation: a receive's timeout still fires while its actor
  // is suspended, and a semaphore wait is answered twice; both break the
  // actor. Receives with a timeout (receive_timed) and idle client workers
  // register here.
  bool pauses_itself(aid_t actor) const { return self_pausing_.count(actor) != 0; }
  class SelfPausing {
  public:
    explicit SelfPausing(Network& network);
    ~SelfPausing();
    SelfPausing(const SelfPausing&) = delete;
    SelfPausing& operator=(const SelfPausing&) = delete;

  private:
    Network& network_;
    aid_t actor_;
  };
  // Returns once the calling actor's node is not paused.
  void pause_point();
  // Waits until the node's own clock (local_time_s) reads `local_s`, the
  // way a receive's timeout counts (a pause stops that clock, drift speeds
  // it up or slows it down), or until `wake` is released: false then.
  // Pauses itself (SelfPausing).
  bool wait_until_local(int node, double local_s, const simgrid::s4u::SemaphorePtr& wake);
  // A node's own monotonic clock. It stops while the node is paused (a
  // frozen VM does not see the time go by), so after a pause the node
  // carries on as if no time had passed.
  double local_time_s(int node) const;
  // A node's wall clock: real time plus the steps its clock took (a clock
  // fault's offset) plus what its drift added. It does not stop while the
  // node is paused (the host catches the guest's clock up), so only a clock
  // fault makes it differ from the real time.
  double wall_time_s(int node) const;
  // Clock faults: step the node's wall clock by `offset_s`, and from now on
  // let both of its clocks run (1 + drift) times as fast.
  void step_clock(int node, double offset_s);
  void set_clock_drift(int node, double drift);
  // Files that are not the database's on a node's disk (a disk_fill fault).
  void fill_disk(int node, double bytes) { disk_filled_bytes_[node] += bytes; }
  double disk_filled_bytes(int node) const { return disk_filled_bytes_[node]; }

  std::uint64_t messages_sent() const { return next_id_ - 1; }
  std::uint64_t messages_delivered() const { return delivered_; }
  std::uint64_t messages_dropped() const { return dropped_; }
  // Bytes put on the link between two nodes (lower index first), both ways:
  // the saturation report's network share.
  const std::map<std::pair<int, int>, double>& bytes_between() const { return bytes_between_; }

private:
  struct Rule {
    std::string name;
    std::vector<char> applies; // per node
    double probability = 0.0;
    double extra_s = 0.0; // delay: fixed extra; reorder: the window
    double jitter_s = 0.0;
  };
  // Puts the message in flight, straight away or after `extra_s`.
  void dispatch(const std::string& to_address, std::unique_ptr<Envelope> message, double extra_s);
  double undrifted_local_s(int node) const; // local time as if the clock kept perfect time
  double drift_added_s(int node) const;
  bool partitioned(int from, int to) const;
  std::unique_ptr<Envelope> receive_timed(simgrid::s4u::Mailbox* mailbox, double timeout_s, bool keep_posted);
  // The receive posted on `mailbox` by the calling actor, kept across waits
  // that time out: SimGrid cancels the transfer a timed-out get() had
  // matched, which lost a message already on the wire. Waits up to
  // `timeout_s` (negative: forever; zero: only if it is done). Returns the
  // message, or nullptr if none came in time (the receive stays posted).
  // Throws simgrid::NetworkFailureException when the transfer was cut.
  Envelope* take_posted(simgrid::s4u::Mailbox* mailbox, double timeout_s);
  // A receive another actor posted and left (a server restarted after a
  // crash): cancelled if
  // nothing matched it yet; otherwise its message has arrived or is on the
  // wire, and a short-lived actor takes it, so it is delivered (and
  // counted) like any other, to nobody who still waits for it.
  void hand_on_posted(simgrid::s4u::Mailbox* mailbox);
  // Takes ownership back; nullptr if it is for an earlier life of the node.
  std::unique_ptr<Envelope> accept(Envelope* raw);
  void drop(Envelope& message, const char* reason);
  void transmit(const std::string& to_address, Envelope* raw);
  bool head_was_cut(const std::string& address) const;
  void forget_queued(const std::string& address, const Envelope* raw);
  // SimGrid gave up on the transfer of `raw` to the mailbox `address` (its
  // detached send was destroyed unfinished). Which of its reasons it was is
  // not said; a receive on that mailbox that timed out at this instant says
  // it was the caller giving up (gave_up()), and the two are matched in
  // whichever order they come.
  void transfer_failed(const std::string& address, Envelope* raw);
  void gave_up(const std::string& address);
  void drop_given_up(const std::string& address);

  std::vector<std::string> names_;
  std::vector<simgrid::s4u::Host*> hosts_;
  util::Rng rng_;
  history::TraceWriter* trace_;
  std::vector<std::pair<std::string, Partition>> partitions_;
  std::vector<Rule> drops_;
  std::vector<Rule> delays_;
  std::vector<Rule> duplicates_;
  std::vector<Rule> reorders_;
  // Per node: clock faults. Drift counts over the node's own (unpaused) time.
  std::vector<double> clock_offset_s_;
  std::vector<double> clock_drift_;
  std::vector<double> drift_accum_s_; // added by earlier drift, up to drift_mark_s_
  std::vector<double> drift_mark_s_;  // undrifted local time when the drift last changed
  std::vector<double> disk_filled_bytes_;
  std::vector<char> up_;
  std::vector<char> paused_;
  std::vector<double> paused_since_s_;
  std::vector<double> paused_total_s_;
  std::vector<std::uint32_t> incarnation_;
  std::unordered_map<Envelope*, std::unique_ptr<Envelope>> in_flight_;
  std::vector<std::vector<std::pair<std::string, Envelope*>>> held_; // per paused node: (address, message)
  std::unordered_map<simgrid::s4u::Host*, int> host_index_; // only looked up, never iterated
  std::multiset<aid_t> self_pausing_; // membership only
  simgrid::s4u::MutexPtr resume_mutex_;
  simgrid::s4u::ConditionVariablePtr resumed_;
  std::size_t max_held_ = 100'000;
  // Per mailbox, the transfers started into it and not yet taken, in the
  // order SimGrid queues them; `cut` once a crash of either end failed it.
  struct Queued {
    const Envelope* message;
    int put_node; // the host the transfer was started from
    int to_node;
    bool cut;
  };
  std::unordered_map<std::string, std::deque<Queued>> queued_; // looked up; iterated only to set flags
  struct Posted {
    simgrid::s4u::CommPtr comm;
    Envelope* raw = nullptr; // where SimGrid puts the message
    aid_t owner = -1;
  };
  std::unordered_map<simgrid::s4u::Mailbox*, std::unique_ptr<Posted>> posted_; // looked up only
  // Transfers SimGrid failed, and receives that timed out, at the current
  // instant. Older ones are forgotten: a failure nobody gave up on is a
  // crash's (counted, if at all, where the receiver sees it) or the end of
  // the run's.
  struct Failed {
    const std::string* address;
    Envelope* message;
  };
  std::vector<Failed> failed_;
  double failed_at_s_ = -1;
  std::vector<std::string> gave_up_;
  double gave_up_at_s_ = -1;
  void forget_posted(simgrid::s4u::Mailbox* mailbox, const Posted* posted);
  std::uint64_t next_id_ = 1;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
  std::map<std::pair<int, int>, double> bytes_between_;
};

} // namespace faultlab::engine
