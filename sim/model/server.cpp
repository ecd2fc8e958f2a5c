#include "model/server.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

Server::Server(Context& context, int node, std::string port)
    : context_(context), node_(node), port_(std::move(port)) {}

void Server::start(std::function<void()> body, std::function<void()> on_crash) {
  body_ = std::move(body);
  if (on_crash) context_.hooks.on_crash[node_].push_back(std::move(on_crash));
  context_.hooks.on_restart[node_].push_back([this] { launch(); });
  launch();
}

void Server::launch() {
  sg4::Actor::create(port_, context_.network.host(node_), [this] {
    inbox_ = sg4::Mailbox::by_name(engine::Network::address(node_name(), port_));
    inbox_->set_receiver(sg4::Actor::self());
    body_();
  })->daemonize();
}

} // namespace faultlab::model
