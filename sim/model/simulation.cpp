#include "model/simulation.hpp"

#include "engine/faults.hpp"
#include "engine/network.hpp"
#include "engine/platform.hpp"
#include "history/recorder.hpp"
#include "model/client.hpp"
#include "model/context.hpp"
#include "model/invariant.hpp"
#include "model/registry.hpp"
#include "model/saturation.hpp"
#include "util/input_error.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

namespace {
// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; Clang answers
// __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
} // namespace

RunOutput simulate(const scenario::Scenario& scenario, const RunOptions& options) {
  // SimGrid's own log lines stay off unless asked for: the threshold comes
  // first so that even configuration messages are silenced.
  // CM02: a link costs its latency plus size / bandwidth, with no hidden
  // TCP correction factors, so "1ms" in a scenario means 1 ms on the wire.
  std::vector<std::string> args{"faultlab", "--log=root.thres:critical", "--cfg=network/model:CM02",
                                "--cfg=contexts/stack-size:256"};
  // Under AddressSanitizer every actor runs on a thread: SimGrid's own
  // ucontext stacks are not annotated for ASan (Debian builds it without), so
  // an exception unwinding inside an actor is reported as a stack overflow
  // that is not one. Threads change the speed, not the schedule or the trace.
  // Before the caller's flags, so a --cfg given on the command line still wins.
  if (kAddressSanitizer) args.push_back("--cfg=contexts/factory:thread");
  for (const auto& flag : options.simgrid_flags) args.push_back(flag);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  sg4::Engine engine(&argc, argv.data());

  set_invariant_context("seed " + std::to_string(options.seed) + "; reproduce: " +
                        (options.reproduce.empty() ? "(not given)" : options.reproduce));
  RunOutput output;
  output.trace = std::make_unique<history::TraceWriter>(scenario.limits.max_trace_events, options.record_messages,
                                                        options.record_events);
  history::TraceWriter* trace = output.trace.get();

  std::vector<std::string> names;
  for (const auto& n : scenario.topology.nodes) names.push_back(n.name);
  if (options.saturation) start_cpu_accounting();
  auto hosts = engine::build_platform(scenario.topology, scenario.faults);
  engine::Network network(names, hosts, util::Rng::stream(options.seed, "network"), trace);
  network.set_max_held(static_cast<std::size_t>(scenario.limits.max_queue));
  engine::NodeHooks hooks;
  hooks.on_restart.resize(names.size());
  hooks.on_crash.resize(names.size());
  history::Recorder recorder(trace);
  Context context{scenario, network, hooks, recorder, trace, options.seed};

  // Models in the order their types registered, each type's components in
  // file order: actor creation order is part of what makes a run repeatable.
  Components components;
  const ModelTypes& model_types = ModelTypes::instance();
  const auto& type_names = scenario::ComponentTypes::instance().names();
  for (const auto& type : type_names)
    for (const auto& spec : scenario.components)
      if (spec->type == type) components.add(spec->name, model_types.find(type)->make(*spec, components, context));
  std::vector<std::unique_ptr<ClientGroupModel>> clients;
  for (const auto& spec : scenario.workload.clients)
    clients.push_back(std::make_unique<ClientGroupModel>(spec, components, context));
  for (const auto& model : components.all()) model->start();
  for (auto& c : clients) c->start();
  engine::start_fault_schedule(scenario.faults, network, hooks, trace);

  engine.run();

  output.sim_time_s = sg4::Engine::get_clock();
  output.history = recorder.finish(output.sim_time_s);
  output.messages_sent = network.messages_sent();
  output.messages_delivered = network.messages_delivered();
  output.messages_dropped = network.messages_dropped();
  output.refused_in_flight = context.refused_in_flight;
  output.shed_queue_full = context.shed_queue_full;
  if (options.saturation) {
    measure_platform(scenario.topology, hosts, network, output.sim_time_s, output.resources);
    for (const auto& model : components.all()) model->resources(output.sim_time_s, output.resources);
  }
  ModelStats stats;
  for (const auto& c : clients) c->driver().report(stats);
  for (const auto& model : components.all()) model->report(stats);
  for (const auto& type : type_names) {
    const ModelType* model_type = model_types.find(type);
    bool present = std::any_of(scenario.components.begin(), scenario.components.end(),
                               [&](const auto& spec) { return spec->type == type; });
    if (present && model_type->metrics) model_type->metrics(stats, output.model_metrics);
  }
  if (trace->overflowed())
    throw util::InputError("over-limit", scenario.file + ": /limits/max_trace_events",
                           "the run produced more than " + std::to_string(trace->max_events()) +
                               " trace events; raise the limit or shorten the workload");
  return output;
}

} // namespace faultlab::model
