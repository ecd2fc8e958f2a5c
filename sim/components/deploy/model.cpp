#include "components/deploy/model.hpp"

#include "history/json_line.hpp"
#include "model/server.hpp"
#include "model/service_messages.hpp"
#include "util/units.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

DeployModel::DeployModel(const scenario::Deploy& spec, Components& components, Context& context)
    : spec_(spec), context_(context), service_(components.get<ServiceModel>(spec.service)) {
  node_ = context_.network.node_index(spec_.node);
  rpc_ = std::make_unique<Rpc>(context_, node_, spec_.name);
}

void DeployModel::start() {
  // Not a daemon: a rollout scheduled after the clients' last request still runs.
  sg4::Actor::create(spec_.name, context_.network.host(node_), [this] {
    for (const auto& rollout : spec_.rollouts) {
      sg4::this_actor::sleep_until(rollout.at_s);
      if (sg4::Engine::get_clock() >= context_.scenario.workload.duration_s) return;
      roll(rollout);
    }
  });
}

bool DeployModel::roll(const scenario::Deploy::Rollout& rollout) {
  const std::vector<int>& nodes = service_.instance_nodes();
  const int batch = spec_.batch;
  const int waves = (static_cast<int>(nodes.size()) + batch - 1) / batch;
  for (int wave = 0; wave < waves; ++wave) {
    const auto first = static_cast<std::size_t>(wave * batch);
    const std::size_t last = std::min(nodes.size(), first + static_cast<std::size_t>(batch));
    std::string names;
    for (std::size_t i = first; i < last; ++i) names += (names.empty() ? "" : " ") + context_.network.node_name(nodes[i]);
    const double start_s = sg4::Engine::get_clock();
    const double deadline_s = start_s + spec_.health_timeout_s;
    const std::int64_t op = context_.recorder.invoke(start_s, wave, spec_.name, "deploy_wave",
                                                     rollout.name + "/" + std::to_string(wave + 1), std::nullopt);
    trace_wave(rollout, wave + 1, waves, names, "start", "");
    // One order per instance of the wave, each waited for by an actor of its own.
    std::vector<std::string> answers(last - first);
    std::vector<sg4::ActorPtr> waiting;
    for (std::size_t i = first; i < last; ++i) {
      waiting.push_back(sg4::Actor::create("order", context_.network.host(node_), [this, &rollout, &answers, &nodes,
                                                                                    first, i, deadline_s, op] {
        auto order = std::make_unique<Restart>();
        order->version = rollout.version;
        order->drain_s = spec_.drain_s;
        order->start_s = spec_.start_s;
        std::unique_ptr<engine::Envelope> answer =
            rpc_->call(nodes[i], service_.spec().name,
                       engine::envelope(service_kinds::restart, std::move(order), spec_.message_bytes, op), deadline_s);
        std::string& out = answers[i - first];
        if (!answer) out = context_.network.node_name(nodes[i]) + " not healthy within " +
                           util::format_duration(spec_.health_timeout_s);
        else if (const auto& done = answer->payload_as<Restarted>(); done.dropped > 0)
          out = "ok, " + std::to_string(done.dropped) + " dropped on " + context_.network.node_name(nodes[i]);
        else out = "ok";
      }));
    }
    for (auto& actor : waiting) actor->join();
    std::string failed, dropped;
    for (const auto& a : answers) {
      if (a.rfind("ok", 0) != 0) failed += (failed.empty() ? "" : "; ") + a;
      else if (a.size() > 2) dropped += (dropped.empty() ? "" : "; ") + a.substr(4);
    }
    const double end_s = sg4::Engine::get_clock();
    const std::string outcome = !failed.empty() ? "failed: " + failed + "; the rollout stops"
                                                : dropped.empty() ? "healthy" : "healthy (requests " + dropped + ")";
    context_.recorder.complete(op, end_s, failed.empty() ? history::Outcome::ok : history::Outcome::fail, std::nullopt,
                               spec_.node, failed);
    trace_wave(rollout, wave + 1, waves, names, "end", outcome);
    if (!failed.empty()) return false;
  }
  return true;
}

void DeployModel::trace_wave(const scenario::Deploy::Rollout& rollout, int wave, int waves,
                             const std::string& instances, const char* phase, const std::string& outcome) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  history::JsonLine line(t, "deploy_wave");
  line.str("node", spec_.node)
      .str("component", spec_.name)
      .str("service", spec_.service)
      .str("rollout", rollout.name)
      .str("version", rollout.version)
      .integer("wave", wave)
      .integer("waves", waves)
      .str("instances", instances)
      .str("phase", phase);
  if (!outcome.empty()) line.str("outcome", outcome);
  context_.trace->add(t, line.done());
  // The same as the controller's state, which any trace reader (the
  // viewer's lane of the controller's node) shows without knowing deploys.
  const std::string what = "rollout " + rollout.name + ", wave " + std::to_string(wave) + "/" + std::to_string(waves);
  const std::string why = std::string(phase) == "start"
                              ? what + ": replacing " + instances + " with " + rollout.version
                              : what + " done: " + outcome;
  context_.trace->add(t, history::JsonLine(t, "state")
                             .str("node", spec_.node)
                             .str("component", spec_.name)
                             .str("why", why)
                             .done());
}

} // namespace faultlab::model
