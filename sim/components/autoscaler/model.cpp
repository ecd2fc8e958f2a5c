#include "components/autoscaler/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

namespace {
std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}
} // namespace

AutoscalerModel::AutoscalerModel(const scenario::Autoscaler& spec, Components& components, Context& context)
    : spec_(spec), context_(context), service_(components.get<ServiceModel>(spec.service)) {
  node_ = context_.network.node_index(spec_.node);
  rpc_ = std::make_unique<Rpc>(context_, node_, spec_.name);
  const scenario::Service& service = service_.spec();
  for (int index : service_.instance_nodes()) {
    auto node = std::make_unique<Node>();
    node->node = index;
    node->state = service_.in_service(index) ? NodeState::serving : NodeState::spare;
    node->agent = std::make_unique<Server>(context_, index, service.name + ".agent");
    nodes_.push_back(std::move(node));
  }
  min_ = spec_.min < 0 ? static_cast<int>(service.instances.size()) : spec_.min;
  max_ = spec_.max < 0 ? static_cast<int>(service.instances.size() + service.spares.size()) : spec_.max;
  max_serving_ = count(NodeState::serving);
}

void AutoscalerModel::start() {
  for (auto& node : nodes_) {
    Node* n = node.get();
    n->agent->start([this, n] { agent(*n); });
  }
  sg4::Actor::create(spec_.name, context_.network.host(node_), [this] {
    daemonize_self(); // the run ends with the workload, not with the controller
    while (sg4::Engine::get_clock() < context_.scenario.workload.duration_s) {
      const double next_s = sg4::Engine::get_clock() + spec_.interval_s;
      evaluate();
      sg4::this_actor::sleep_until(next_s);
    }
  });
}

// On each instance node: the metrics endpoint and the machine's side of the
// controller's orders.
void AutoscalerModel::agent(Node& node) {
  sg4::Host* host = context_.network.host(node.node);
  while (true) {
    std::shared_ptr<engine::Envelope> request = node.agent->receive();
    if (request->kind == autoscaler_kinds::scrape) {
      auto reply = std::make_unique<MetricsReply>();
      reply->in_flight = static_cast<double>(service_.in_flight(node.node));
      reply->cpu_seconds = service_.cpu_seconds(node.node);
      reply->latency_counts = service_.latency(node.node).counts;
      reply->cores = host->get_core_count();
      node.agent->reply(*request, autoscaler_kinds::metrics, std::move(reply), spec_.message_bytes);
      continue;
    }
    const ScaleOrder& order = request->payload_as<ScaleOrder>();
    if (!order.add) { // leave the load balancer now; requests in progress finish
      service_.set_in_service(node.node, false);
      node.agent->reply(*request, autoscaler_kinds::done, std::make_unique<ScaleDone>(), spec_.message_bytes);
      continue;
    }
    // Boot and health check: the instance joins when they are done.
    sg4::Actor::create("provision", host, [this, &node, request, provisioning_s = order.provisioning_s] {
      daemonize_self();
      sg4::this_actor::sleep_for(provisioning_s);
      service_.set_in_service(node.node, true);
      node.agent->reply(*request, autoscaler_kinds::done, std::make_unique<ScaleDone>(), spec_.message_bytes);
    });
  }
}

int AutoscalerModel::count(NodeState state) const {
  int n = 0;
  for (const auto& node : nodes_) n += node->state == state ? 1 : 0;
  return n;
}

int AutoscalerModel::minimum_now(std::string& why) const {
  int least = min_;
  why = "the minimum of " + std::to_string(min_);
  const double now = sg4::Engine::get_clock();
  for (const auto& entry : spec_.schedule)
    if (entry.at_s <= now && entry.min > least) {
      least = entry.min;
      why = "scheduled minimum " + entry.name + ": " + std::to_string(entry.min) + " from " +
            util::format_duration(entry.at_s);
    }
  return least;
}

void AutoscalerModel::account() {
  const double now = sg4::Engine::get_clock();
  instance_seconds_ += count(NodeState::serving) * (now - accounted_s_);
  accounted_s_ = now;
}

bool AutoscalerModel::scrape(double& value, int& answered) {
  std::vector<Node*> targets;
  for (const auto& node : nodes_)
    if (node->state == NodeState::serving) targets.push_back(node.get());
  std::vector<double> values(targets.size(), -1);
  // p99_latency: the requests each instance answered since its last scrape,
  // summed over the instances, bucket by bucket.
  std::vector<std::uint64_t> latency(LatencyHistogram::bounds().size() + 1, 0);
  std::vector<sg4::ActorPtr> waiting;
  const double deadline_s = sg4::Engine::get_clock() + spec_.scrape_timeout_s;
  for (std::size_t i = 0; i < targets.size(); ++i)
    waiting.push_back(sg4::Actor::create("scrape", context_.network.host(node_), [this, &targets, &values, &latency,
                                                                                  i, deadline_s] {
      Node& node = *targets[i];
      std::unique_ptr<engine::Envelope> answer =
          rpc_->call(node.node, service_.spec().name + ".agent",
                     engine::envelope(autoscaler_kinds::scrape, std::make_unique<MetricsRequest>(),
                                      spec_.message_bytes),
                     deadline_s);
      if (!answer) return;
      values[i] = -2; // answered (a first CPU scrape gives no rate yet)
      const auto& m = answer->payload_as<MetricsReply>();
      const double now = sg4::Engine::get_clock();
      if (spec_.metric == scenario::Autoscaler::Metric::in_flight) {
        values[i] = m.in_flight;
      } else if (spec_.metric == scenario::Autoscaler::Metric::p99_latency) {
        // A first scrape counts from the instance's start (its counters were zero).
        const std::vector<std::uint64_t> fresh = since(node.latency_counts, m.latency_counts);
        for (std::size_t b = 0; b < fresh.size() && b < latency.size(); ++b) latency[b] += fresh[b];
        node.latency_counts = m.latency_counts;
      } else if (node.scraped_s >= 0 && now > node.scraped_s && m.cpu_seconds >= node.cpu_seconds) {
        // The counter's rate over the cores (a restarted process starts it again: no sample then).
        values[i] = std::min(1.0, (m.cpu_seconds - node.cpu_seconds) / ((now - node.scraped_s) * m.cores));
      }
      node.cpu_seconds = m.cpu_seconds;
      node.scraped_s = now;
    }));
  for (auto& actor : waiting) actor->join();
  if (spec_.metric == scenario::Autoscaler::Metric::p99_latency) {
    // One value for the service: the quantile of all its requests, not an
    // average of the instances' quantiles.
    answered = 0;
    for (double v : values) answered += v != -1 ? 1 : 0;
    value = bucket_quantile(0.99, latency);
    if (value < 0) value = 0; // no request answered since the last scrape
    return answered > 0 && value > 0;
  }
  double sum = 0;
  int counted = 0;
  answered = 0;
  for (double v : values) {
    if (v != -1) ++answered;
    if (v >= 0) {
      sum += v;
      ++counted;
    }
  }
  value = counted > 0 ? sum / counted : 0;
  return counted > 0;
}

void AutoscalerModel::evaluate() {
  account();
  double value = 0;
  int answered = 0;
  const bool seen = scrape(value, answered);
  const double now = sg4::Engine::get_clock();
  const int serving = count(NodeState::serving);
  const int current = serving + count(NodeState::provisioning);
  if (seen) samples_.emplace_back(now, value);
  else if (serving > 0 && answered == 0) {
    ++blind_;
    trace("blind", "no instance answered its metrics scrape within " + util::format_duration(spec_.scrape_timeout_s),
          serving);
  }
  while (!samples_.empty() && samples_.front().first <= now - spec_.window_s) samples_.pop_front();
  std::string why_min;
  const int least = minimum_now(why_min);
  int desired = current;
  double average = -1;
  if (!samples_.empty() && serving > 0) {
    double sum = 0;
    for (const auto& s : samples_) sum += s.second;
    average = sum / static_cast<double>(samples_.size());
    const double ratio = average / spec_.target;
    if (std::abs(ratio - 1) > spec_.tolerance) desired = static_cast<int>(std::ceil(serving * ratio - 1e-9));
  }
  desired = std::clamp(desired, least, max_);
  trace("sample", "", serving, "", seen ? value : -1, average, desired);
  const std::string metric = scenario::to_string(spec_.metric);
  const std::string measured =
      spec_.metric == scenario::Autoscaler::Metric::p99_latency
          ? "p99 latency averaged " + util::format_duration(average) + " over " +
                util::format_duration(spec_.window_s) + " (target " + util::format_duration(spec_.target) + ")"
          : metric + " averaged " + number_text(average) + " per instance over " +
                util::format_duration(spec_.window_s) + " (target " + number_text(spec_.target) + ")";
  if (current < least) {
    add(least - current, why_min); // a minimum is not held back by the cooldown
    return;
  }
  if (now - last_decision_s_ < spec_.cooldown_s) return;
  if (desired > current) {
    add(desired - current, measured);
    last_decision_s_ = now;
  } else if (desired < current && count(NodeState::provisioning) == 0) {
    remove(current - desired, measured);
    last_decision_s_ = now;
  }
}

void AutoscalerModel::add(int wanted, const std::string& reason) {
  std::vector<Node*> chosen;
  for (auto& node : nodes_)
    if (node->state == NodeState::spare && static_cast<int>(chosen.size()) < wanted) chosen.push_back(node.get());
  if (chosen.empty()) return;
  ++decisions_;
  const int to = count(NodeState::serving) + count(NodeState::provisioning) + static_cast<int>(chosen.size());
  trace("scale_up", "to " + std::to_string(to) + " instances: " + reason, count(NodeState::serving));
  for (Node* node : chosen) {
    node->state = NodeState::provisioning;
    trace("provisioning", "boot and health check, " + util::format_duration(spec_.provisioning_s),
          count(NodeState::serving), context_.network.node_name(node->node));
    sg4::Actor::create("provision", context_.network.host(node_), [this, node] {
      daemonize_self();
      auto order = std::make_unique<ScaleOrder>();
      order->add = true;
      order->provisioning_s = spec_.provisioning_s;
      std::unique_ptr<engine::Envelope> answer =
          rpc_->call(node->node, service_.spec().name + ".agent",
                     engine::envelope(autoscaler_kinds::order, std::move(order), spec_.message_bytes),
                     sg4::Engine::get_clock() + spec_.provisioning_s + spec_.interval_s);
      account();
      if (!answer) {
        node->state = NodeState::spare;
        trace("provision_failed", "no answer from the new instance", count(NodeState::serving),
              context_.network.node_name(node->node));
        return;
      }
      node->state = NodeState::serving;
      node->scraped_s = -1; // its CPU rate starts with its next two scrapes
      max_serving_ = std::max(max_serving_, count(NodeState::serving));
      trace("joined", "in the load balancer", count(NodeState::serving), context_.network.node_name(node->node));
    });
  }
}

void AutoscalerModel::remove(int wanted, const std::string& reason) {
  std::vector<Node*> chosen; // the last added first: spare nodes before the declared instances
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it)
    if ((*it)->state == NodeState::serving && static_cast<int>(chosen.size()) < wanted) chosen.push_back(it->get());
  if (chosen.empty()) return;
  ++decisions_;
  account();
  for (Node* node : chosen) node->state = NodeState::spare;
  trace("scale_down", "to " + std::to_string(count(NodeState::serving)) + " instances: " + reason,
        count(NodeState::serving));
  for (Node* node : chosen)
    sg4::Actor::create("release", context_.network.host(node_), [this, node] {
      daemonize_self();
      auto order = std::make_unique<ScaleOrder>();
      order->add = false;
      std::unique_ptr<engine::Envelope> answer =
          rpc_->call(node->node, service_.spec().name + ".agent",
                     engine::envelope(autoscaler_kinds::order, std::move(order), spec_.message_bytes),
                     sg4::Engine::get_clock() + spec_.interval_s);
      account();
      if (!answer) { // it never heard: it still serves
        node->state = NodeState::serving;
        trace("release_failed", "no answer: the instance stays in the load balancer", count(NodeState::serving),
              context_.network.node_name(node->node));
        return;
      }
      trace("left", "out of the load balancer", count(NodeState::serving), context_.network.node_name(node->node));
    });
}

void AutoscalerModel::trace(const std::string& action, const std::string& why, int instances, const std::string& node,
                            double value, double average, int desired) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  history::JsonLine line(t, "autoscale");
  line.str("node", spec_.node)
      .str("component", spec_.name)
      .str("service", spec_.service)
      .str("action", action)
      .integer("instances", instances)
      .integer("provisioning", count(NodeState::provisioning));
  if (!node.empty()) line.str("instance", node);
  if (value >= 0) line.num("value", value);
  if (average >= 0) line.num("average", average);
  if (desired >= 0) line.integer("desired", desired);
  if (!why.empty()) line.str("why", why);
  context_.trace->add(t, line.done());
  if (action == "sample") return; // the state line is for changes
  context_.trace->add(t, history::JsonLine(t, "state")
                             .str("node", spec_.node)
                             .str("component", spec_.name)
                             .str("why", action + (node.empty() ? "" : " " + node) + (why.empty() ? "" : ": " + why))
                             .done());
}

void AutoscalerModel::report(ModelStats& stats) const {
  const double end_s = context_.scenario.workload.duration_s;
  const double total = instance_seconds_ + count(NodeState::serving) * std::max(0.0, end_s - accounted_s_);
  stats.values["autoscaler_decisions"] += static_cast<double>(decisions_);
  stats.values["autoscaler_max_instances"] =
      std::max(stats.values["autoscaler_max_instances"], static_cast<double>(max_serving_));
  stats.values["autoscaler_mean_instances"] += end_s > 0 ? total / end_s : 0;
  stats.values["autoscaler_blind_scrapes"] += static_cast<double>(blind_);
}

} // namespace faultlab::model
