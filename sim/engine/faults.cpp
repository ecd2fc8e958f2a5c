#include "engine/faults.hpp"

#include "engine/platform.hpp"
#include "history/json_line.hpp"

#include <algorithm>
#include <memory>
#include <set>

namespace sg4 = simgrid::s4u;

namespace faultlab::engine {
namespace {

struct Action {
  double at_s;
  const scenario::Fault* fault;
  bool undo; // the automatic end of a fault with a duration
};

class FaultSchedule {
public:
  FaultSchedule(const std::vector<scenario::Fault>& faults, Network& network, NodeHooks& hooks,
                history::TraceWriter* trace)
      : network_(network), hooks_(hooks), trace_(trace) {
    for (const auto& f : faults) {
      actions_.push_back(Action{f.at_s, &f, false});
      if (f.duration_s) actions_.push_back(Action{f.at_s + *f.duration_s, &f, true});
    }
    std::stable_sort(actions_.begin(), actions_.end(),
                     [](const Action& a, const Action& b) { return a.at_s < b.at_s; });
  }

  void operator()() {
    for (const auto& action : actions_) {
      sg4::this_actor::sleep_until(action.at_s);
      // A fault that did not take effect (a pause of a node already paused,
      // a crash of a node already down) has nothing to undo.
      if (action.undo && !started_.count(action.fault)) continue;
      if (!action.undo && !applicable(*action.fault)) continue;
      if (!action.undo) started_.insert(action.fault);
      apply(*action.fault, action.undo);
    }
  }

private:
  bool applicable(const scenario::Fault& f) const {
    using Type = scenario::Fault::Type;
    if (f.node.empty()) return true;
    int node = network_.node_index(f.node);
    switch (f.type) {
    case Type::crash: return network_.is_up(node);
    case Type::restart: return !network_.is_up(node);
    case Type::pause: return network_.is_up(node) && !network_.is_paused(node);
    default: return true;
    }
  }

  void event(const scenario::Fault& f, const char* phase, const std::string& details_json = "") {
    if (!trace_) return;
    history::JsonLine line(sg4::Engine::get_clock(), "fault");
    line.str("name", f.name).str("type", scenario::to_string(f.type)).str("phase", phase);
    if (!f.node.empty()) line.str("node", f.node);
    if (!details_json.empty()) line.raw("details", details_json);
    trace_->add(sg4::Engine::get_clock(), line.done());
  }

  void node_status(int node, const char* status) {
    if (!trace_) return;
    trace_->add(sg4::Engine::get_clock(), history::JsonLine(sg4::Engine::get_clock(), "node")
                                              .str("node", network_.node_name(node))
                                              .str("status", status)
                                              .done());
  }

  std::vector<int> indices(const std::vector<std::string>& names) const {
    std::vector<int> out;
    for (const auto& n : names) out.push_back(network_.node_index(n));
    return out;
  }

  static std::string partition_details(const scenario::Fault& f) {
    nlohmann::ordered_json details;
    for (const auto& g : f.groups) details["groups"][g.name] = g.nodes;
    if (f.one_way) details["one_way"] = {{"from", f.one_way->first}, {"to", f.one_way->second}};
    return details.dump();
  }

  void apply(const scenario::Fault& f, bool undo) {
    using Type = scenario::Fault::Type;
    int node = f.node.empty() ? -1 : network_.node_index(f.node);
    switch (f.type) {
    case Type::partition:
      if (undo) {
        network_.heal(f.name);
        event(f, "end");
        return;
      } else {
        Network::Partition p;
        p.group_of.assign(static_cast<std::size_t>(network_.node_count()), -1);
        for (std::size_t g = 0; g < f.groups.size(); ++g) {
          for (int n : indices(f.groups[g].nodes)) p.group_of[n] = static_cast<int>(g);
          if (f.one_way && f.groups[g].name == f.one_way->first) p.one_way_from = static_cast<int>(g);
          if (f.one_way && f.groups[g].name == f.one_way->second) p.one_way_to = static_cast<int>(g);
        }
        network_.add_partition(f.name, std::move(p));
        event(f, "start", partition_details(f));
      }
      return;
    case Type::heal:
      network_.heal(f.heals);
      event(f, "start", f.heals.empty() ? "" : nlohmann::json({{"partition", f.heals}}).dump());
      return;
    case Type::drop:
    case Type::delay:
    case Type::duplicate:
    case Type::reorder:
      if (undo) {
        network_.remove_rule(f.name);
        event(f, "end");
      } else {
        nlohmann::ordered_json details;
        details["nodes"] = f.nodes;
        if (f.type == Type::drop) {
          network_.add_drop(f.name, indices(f.nodes), f.probability);
          details["probability"] = f.probability;
        } else if (f.type == Type::delay) {
          network_.add_delay(f.name, indices(f.nodes), f.extra_delay_s, f.jitter_s);
          details["extra_s"] = f.extra_delay_s;
          if (f.jitter_s > 0) details["jitter_s"] = f.jitter_s;
        } else if (f.type == Type::duplicate) {
          network_.add_duplicate(f.name, indices(f.nodes), f.probability);
          details["probability"] = f.probability;
        } else {
          network_.add_reorder(f.name, indices(f.nodes), f.probability, f.extra_delay_s);
          details["probability"] = f.probability;
          details["window_s"] = f.extra_delay_s;
        }
        event(f, "start", details.dump());
      }
      return;
    case Type::clock:
      if (!network_.is_up(node) && !undo) return; // a clock of a node that is down: nothing reads it
      if (undo) {
        network_.step_clock(node, -f.clock_offset_s);
        network_.set_clock_drift(node, 0.0);
        event(f, "end");
      } else {
        network_.step_clock(node, f.clock_offset_s);
        network_.set_clock_drift(node, f.clock_drift);
        nlohmann::ordered_json details;
        details["offset_s"] = f.clock_offset_s;
        details["drift"] = f.clock_drift;
        event(f, "start", details.dump());
      }
      return;
    case Type::slow_cpu:
    case Type::slow_disk:
      slow(f, node, undo);
      return;
    case Type::disk_fill:
      network_.fill_disk(node, undo ? -f.fill_bytes : f.fill_bytes);
      if (undo) {
        event(f, "end");
      } else {
        nlohmann::ordered_json details;
        details["bytes"] = f.fill_bytes;
        event(f, "start", details.dump());
      }
      return;
    case Type::crash:
      if (undo) restart(f, node);
      else crash(f, node);
      return;
    case Type::restart:
      restart(f, node);
      return;
    case Type::pause:
      if (undo) resume(f, node);
      else pause(f, node);
      return;
    }
  }

  // Several slow faults on one node may overlap: the slowest one in force wins.
  void slow(const scenario::Fault& f, int node, bool undo) {
    const bool cpu = f.type == scenario::Fault::Type::slow_cpu;
    auto& active = (cpu ? slow_cpu_ : slow_disk_)[node];
    if (undo) active.erase(active.find(f.factor));
    else active.insert(f.factor);
    const double factor = active.empty() ? 1.0 : *active.rbegin();
    sg4::Host* host = network_.host(node);
    if (cpu) {
      // The platform gave the host one performance state per slowdown it
      // will see (platform.cpp): state 0 is its nominal speed.
      const double wanted = host->get_pstate_speed(0) / factor;
      for (unsigned long i = 0; i < host->get_pstate_count(); ++i)
        if (host->get_pstate_speed(i) == wanted) host->set_pstate(i);
    } else {
      sg4::Disk* disk = host->get_disks().at(0);
      auto nominal = disk_nominal_.try_emplace(node, disk->get_read_bandwidth(), disk->get_write_bandwidth()).first->second;
      disk->set_read_bandwidth(nominal.first / factor);
      disk->set_write_bandwidth(nominal.second / factor);
    }
    if (undo) {
      event(f, "end");
    } else {
      nlohmann::ordered_json details;
      details["factor"] = f.factor;
      event(f, "start", details.dump());
    }
  }

  void crash(const scenario::Fault& f, int node) {
    if (!network_.is_up(node)) return;
    event(f, "start");
    network_.set_up(node, false);
    if (network_.is_paused(node)) {
      paused_.erase(node);
      network_.set_paused(node, false); // what it held is lost with the node
    }
    for (auto& hook : hooks_.on_crash[node]) hook();
    network_.host(node)->turn_off(); // kills every actor on the node
    node_status(node, "down");
  }

  void restart(const scenario::Fault& f, int node) {
    if (network_.is_up(node)) return;
    event(f, f.type == scenario::Fault::Type::crash ? "end" : "start");
    network_.host(node)->turn_on();
    network_.set_up(node, true);
    node_status(node, "up");
    for (auto& hook : hooks_.on_restart[node]) hook();
  }

  void pause(const scenario::Fault& f, int node) {
    if (!network_.is_up(node) || network_.is_paused(node)) return;
    event(f, "start");
    network_.set_paused(node, true);
    for (auto& actor : network_.host(node)->get_all_actors()) {
      if (network_.pauses_itself(actor->get_pid())) continue;
      actor->suspend();
      paused_[node].push_back(actor);
    }
    node_status(node, "paused");
  }

  void resume(const scenario::Fault& f, int node) {
    event(f, "end");
    if (!network_.is_paused(node)) return; // crashed meanwhile
    for (auto& actor : paused_[node])
      if (actor->is_suspended()) actor->resume();
    network_.set_paused(node, false); // after the actors: held messages go to running receivers
    paused_.erase(node);
    node_status(node, "running");
  }

  Network& network_;
  NodeHooks& hooks_;
  history::TraceWriter* trace_;
  std::vector<Action> actions_;
  std::map<int, std::vector<sg4::ActorPtr>> paused_;
  std::set<const scenario::Fault*> started_; // only used for membership, never iterated
  std::map<int, std::multiset<double>> slow_cpu_, slow_disk_; // per node: the factors in force
  std::map<int, std::pair<double, double>> disk_nominal_;     // per node: read and write bandwidth
};

} // namespace

void start_fault_schedule(const std::vector<scenario::Fault>& faults, Network& network, NodeHooks& hooks,
                          history::TraceWriter* trace) {
  if (faults.empty()) return;
  // The schedule runs on its own host so that no node fault can kill it.
  auto* host = sg4::Host::by_name(kControlHost);
  sg4::Actor::create("faults", host, FaultSchedule(faults, network, hooks, trace))->daemonize();
}

} // namespace faultlab::engine
