// The part every request/answer server shares (a cache, a stock table, a
// lock service, a shard, a service instance): an actor on one node that
// receives on the component's port, runs again from scratch after each
// restart of the node, and answers each request on its reply mailbox with
// the request's exchange id.
//
// A crash turns the host off and SimGrid kills the actor with whatever it
// held on its stack; what the component keeps across a crash is its own
// decision (its members, plus `on_crash` to throw away what lived in memory).
// A pause needs nothing here: the network holds the node's messages and
// timed receives pause themselves (see Network::receive).
#pragma once

#include "model/context.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

namespace faultlab::model {

// Makes the calling actor a daemon (it ends with the simulation). Call it
// first thing in an actor that may end without ever blocking: with
// `Actor::create(...)->daemonize()`, SimGrid 3.32 can run such an actor to
// its end before the daemonize takes effect, and then keeps the dead actor
// in its list of daemons (the run ends early, or crashes, when the other
// actors are done).
inline void daemonize_self() { simgrid::s4u::Actor::self()->daemonize(); }

class Server {
public:
  // `port` names the inbox on the node and the actor.
  Server(Context& context, int node, std::string port);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int node() const { return node_; }
  const std::string& node_name() const { return context_.network.node_name(node_); }

  // Runs `body` in an actor on the node, now and after every restart.
  // `on_crash` (optional) runs when the node crashes.
  void start(std::function<void()> body, std::function<void()> on_crash = nullptr);

  // In the body: the next request (as Network::receive; the inbox is taken
  // when the actor starts, so requests queue there even while it is busy).
  std::unique_ptr<engine::Envelope> receive(double timeout_s = -1.0) {
    return context_.network.receive(inbox_, timeout_s, /*keep_posted=*/true);
  }

  // Receive, spend `service_time_s` of CPU, hand the request to `handle`;
  // forever. With `due_s` (when to wake up without a request, negative for
  // never) `on_wake` runs after every wake-up, before the request if any.
  template <class Handle> [[noreturn]] void serve(double service_time_s, Handle handle) {
    serve(service_time_s, handle, [] { return -1.0; }, [] {});
  }
  template <class Handle, class Due, class Wake>
  [[noreturn]] void serve(double service_time_s, Handle handle, Due due_s, Wake on_wake) {
    while (true) {
      const double wake_s = due_s();
      const double timeout_s =
          wake_s < 0 ? -1.0 : std::max(0.0, wake_s - simgrid::s4u::Engine::get_clock()) + 1e-9;
      std::unique_ptr<engine::Envelope> request = receive(timeout_s);
      on_wake();
      if (!request) continue;
      compute(service_time_s);
      handle(std::move(request));
    }
  }

  // Answers `request` on its reply mailbox.
  template <class P>
  void reply(const engine::Envelope& request, engine::MessageKind kind, std::unique_ptr<P> answer,
             std::int64_t size_bytes) {
    context_.network.send(node_, request.from, request.reply_to,
                          engine::answer_to(request, kind, std::move(answer), size_bytes));
  }

private:
  void launch();

  Context& context_;
  int node_;
  std::string port_;
  std::function<void()> body_;
  simgrid::s4u::Mailbox* inbox_ = nullptr;
};

} // namespace faultlab::model
