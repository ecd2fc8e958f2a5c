// Request and answer over the network layer, for a program running on one
// node (an application server, a service instance, a buyer).
//
// Every request gets an exchange id and waits on a reply mailbox of its own
// (taken from a pool, so mailboxes are reused, not created per request). An
// answer that arrives after its requester gave up stays in that mailbox and
// is skipped by the next user of it, because its exchange id is old. One
// that is still on the wire when the requester's wait times out is lost:
// SimGrid cancels the transfer that wait had matched, and the network
// counts and traces it as dropped, reason "caller gave up". (Server
// inboxes keep their receive posted instead, Network::receive; doing the
// same here lost answers when a mailbox went to the next request while
// the transfer ran, so reply mailboxes still wait the old way.)
#pragma once

#include "model/context.hpp"

#include <simgrid/s4u.hpp>

#include <memory>
#include <string>
#include <vector>

namespace faultlab::model {

class Rpc {
public:
  // `owner` names the reply mailboxes: "<node>/<owner>#<n>".
  Rpc(Context& context, int node, std::string owner) : context_(context), node_(node), owner_(std::move(owner)) {}

  int node() const { return node_; }

  // A reply mailbox held for a while (several exchanges of one operation),
  // given back when it goes out of scope. Taking one sets this actor as its
  // receiver, so answers queue there even before anyone waits.
  class Slot {
  public:
    explicit Slot(Rpc& rpc) : rpc_(rpc), mailbox_(rpc.acquire()) {}
    ~Slot() { rpc_.free_.push_back(mailbox_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    simgrid::s4u::Mailbox* mailbox() const { return mailbox_; }

  private:
    Rpc& rpc_;
    simgrid::s4u::Mailbox* mailbox_;
  };

  // Sends `request` to `to_node`'s mailbox `port` and waits for its answer
  // on `slot` until `deadline_s` (absolute simulated time). nullptr: no
  // answer in time.
  std::unique_ptr<engine::Envelope> call(Slot& slot, int to_node, const std::string& port,
                                         std::unique_ptr<engine::Envelope> request, double deadline_s) {
    const std::uint64_t exchange = next_exchange_++;
    request->exchange = exchange;
    request->reply_to = slot.mailbox()->get_name();
    context_.network.send(node_, to_node, address(to_node, port), std::move(request));
    while (true) {
      double left = deadline_s - simgrid::s4u::Engine::get_clock();
      if (left <= 0) return nullptr;
      std::unique_ptr<engine::Envelope> answer = context_.network.receive(slot.mailbox(), left);
      if (!answer || answer->exchange == exchange) return answer;
      // else: a late answer to an earlier exchange on this mailbox
    }
  }

  // The same with a slot of its own.
  std::unique_ptr<engine::Envelope> call(int to_node, const std::string& port,
                                         std::unique_ptr<engine::Envelope> request, double deadline_s) {
    Slot slot(*this);
    return call(slot, to_node, port, std::move(request), deadline_s);
  }

  // Sends `request` to `to_node`'s mailbox `port` with its answer going to
  // `reply_to`, and returns at once with the exchange id the answer will
  // carry (for a receiver that waits on many exchanges at a time).
  std::uint64_t send_request(simgrid::s4u::Mailbox* reply_to, int to_node, const std::string& port,
                             std::unique_ptr<engine::Envelope> request) {
    const std::uint64_t exchange = next_exchange_++;
    request->exchange = exchange;
    request->reply_to = reply_to->get_name();
    context_.network.send(node_, to_node, address(to_node, port), std::move(request));
    return exchange;
  }

  // A message that expects no answer.
  void send(int to_node, const std::string& port, std::unique_ptr<engine::Envelope> message) {
    message->exchange = next_exchange_++;
    context_.network.send(node_, to_node, address(to_node, port), std::move(message));
  }

  // After a crash of the node: the actors that waited on the mailboxes are
  // gone, the mailboxes themselves can be used again.
  void reset() {
    free_.clear();
    for (auto* mailbox : busy_all_)
      if (mailbox != nullptr) free_.push_back(mailbox);
  }

private:
  std::string address(int to_node, const std::string& port) const {
    return engine::Network::address(context_.network.node_name(to_node), port);
  }
  simgrid::s4u::Mailbox* acquire() {
    simgrid::s4u::Mailbox* slot = nullptr;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      // Mailbox::by_name is a simcall: other actors run before it returns.
      // The number is taken first, so two requests that start at the same
      // instant get two mailboxes (they used to share one, and the answer
      // one of them skipped as not its own was lost to the other).
      const std::size_t number = busy_all_.size();
      busy_all_.push_back(nullptr);
      slot = simgrid::s4u::Mailbox::by_name(
          engine::Network::address(context_.network.node_name(node_), owner_ + "#" + std::to_string(number)));
      busy_all_[number] = slot;
    }
    slot->set_receiver(simgrid::s4u::Actor::self()); // answers queue here even before we wait
    return slot;
  }

  Context& context_;
  int node_;
  std::string owner_;
  std::uint64_t next_exchange_ = 1;
  std::vector<simgrid::s4u::Mailbox*> free_;
  std::vector<simgrid::s4u::Mailbox*> busy_all_; // every mailbox ever made, in order
};

} // namespace faultlab::model
