#include "model/service.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using Fallback = scenario::Call::Fallback;

namespace {
// "{user}" in a key template becomes the user's number.
std::string fill_template(const std::string& pattern, const std::string& user) {
  std::string id = user.substr(user.rfind(':') + 1);
  std::string out = pattern;
  for (std::size_t at; (at = out.find("{user}")) != std::string::npos;) out.replace(at, 6, id);
  return out;
}
} // namespace

ServiceModel::ServiceModel(const scenario::Service& spec, Components& components, Context& context)
    : spec_(spec), components_(components), context_(context),
      balancer_(std::make_unique<LoadBalancer>(spec.load_balancer)) {
  std::vector<std::string> names = spec_.instances;
  names.insert(names.end(), spec_.spares.begin(), spec_.spares.end());
  for (const auto& name : names) {
    auto instance = std::make_unique<Instance>();
    instance->node = context_.network.node_index(name);
    instance->server = std::make_unique<Server>(context_, instance->node, spec_.name);
    instance->rpc = std::make_unique<Rpc>(context_, instance->node, spec_.name + ".out");
    instance->rng = context_.rng("service/" + spec_.name + "/" + name);
    for (const auto& endpoint : spec_.endpoints)
      for (const auto& call : endpoint.calls)
        if (auto* group = components_.find_as<ReplicaGroupModel>(call.to); group && !instance->groups.count(call.to))
          instance->groups[call.to] = std::make_unique<GroupClient>(*group,
                                                                    context_, *instance->rpc, instance->rng);
    for (const auto& pool : spec_.pools) instance->pools[pool.to].spec = &pool;
    reset_pools(*instance);
    make_runtime(*instance);
    if (!spec_.initial_version.empty()) instance->version = spec_.find_version(spec_.initial_version);
    nodes_.push_back(instance->node);
    instances_.push_back(std::move(instance));
  }
  make_log_collector();
  for (std::size_t i = spec_.instances.size(); i < instances_.size(); ++i) { // spares: out of rotation
    instances_[i]->in_service = false;
    set_ready(*instances_[i], false);
  }
}

void ServiceModel::start() {
  for (auto& instance : instances_) {
    Instance* i = instance.get();
    // Callees are found once every model is built: a type registered after
    // the service (a queue) is not there yet when the service is built.
    for (const auto& endpoint : spec_.endpoints)
      for (const auto& call : endpoint.calls)
        if (auto* callee = components_.find_as<Callee>(call.to)) i->callees[call.to] = callee;
    i->server->start([this, i] { serve(*i); },
                     [this, i] {
                       i->rpc->reset(); // what it knew about leaders was in memory
                       for (auto& [name, group] : i->groups) group->forget_leader();
                       reset_pools(*i); // its connections died with it
                       // The node comes back with the process it had (a
                       // restart order in progress died with the node).
                       i->requests.clear();
                       i->down = false;
                       set_ready(*i, i->in_service);
                     });
    if (i->version != nullptr) record_version(*i);
  }
  start_log_collector();
}

std::vector<int> ServiceModel::ready_nodes() const {
  std::vector<int> ready;
  for (const auto& instance : instances_)
    if (instance->ready) ready.push_back(instance->node);
  return ready;
}

void ServiceModel::set_ready(Instance& instance, bool ready) {
  if (instance.ready == ready) return;
  instance.ready = ready;
  not_ready_ += ready ? -1 : 1;
}

// The history says which code each instance runs from when on, as an
// instant op of the service (f "run_version", key: the version, node: the
// instance), so a checker can tell which code made a request fail.
void ServiceModel::record_version(const Instance& instance) {
  const double now = sg4::Engine::get_clock();
  const std::string& node = context_.network.node_name(instance.node);
  const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, "run_version", instance.version->name,
                                                   std::nullopt);
  context_.recorder.complete(op, now, history::Outcome::ok, std::nullopt, node);
}

void ServiceModel::trace_state(const Instance& instance, const std::string& why) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", context_.network.node_name(instance.node))
                               .str("component", spec_.name)
                               .str("why", why)
                               .done());
}

void ServiceModel::restart(Instance& instance, std::shared_ptr<Envelope> order) {
  const Restart& r = order->payload_as<Restart>();
  const scenario::CodeVersion* next = spec_.find_version(r.version);
  FAULTLAB_INVARIANT(next != nullptr, "a deploy names only versions of the service it deploys");
  // 1. Out of the load balancer: no new requests, those accepted go on.
  set_ready(instance, false);
  trace_state(instance, "draining: out of the load balancer, to restart running " + r.version);
  const double drain_end_s = sg4::Engine::get_clock() + r.drain_s;
  // Waits for the accepted requests the way a graceful shutdown does (Go's
  // http.Server.Shutdown polls its connections), every 100 ms.
  while (!instance.requests.empty() && sg4::Engine::get_clock() < drain_end_s)
    sg4::this_actor::sleep_for(std::min(0.1, drain_end_s - sg4::Engine::get_clock()));
  // 2. The old process exits: what it has not answered is dropped (its
  // callers time out), its connections close.
  std::vector<sg4::ActorPtr> dropped;
  for (auto& [aid, actor] : instance.requests) dropped.push_back(actor);
  instance.requests.clear();
  instance.down = true;
  // (The reply mailboxes come back as the dropped requests unwind.)
  for (auto& [name, group] : instance.groups) group->forget_leader();
  reset_pools(instance);
  trace_state(instance, "stopped: the old process exits" +
                            (dropped.empty() ? std::string()
                                             : " (" + std::to_string(dropped.size()) + " requests dropped)"));
  for (auto& actor : dropped) actor->kill(); // simcalls last: the state above is settled
  abandon_loop(instance);
  // 3. The new process starts, then answers the health check.
  sg4::this_actor::sleep_for(r.start_s);
  instance.version = next;
  instance.down = false;
  set_ready(instance, instance.in_service); // a spare node stays out of the rotation
  record_version(instance);
  trace_state(instance, "started: runs " + next->name);
  auto done = std::make_unique<Restarted>();
  done->version = next->name;
  done->dropped = static_cast<std::int64_t>(dropped.size());
  instance.server->reply(*order, service_kinds::restarted, std::move(done), 256);
}

// The accept loop: every request gets an actor of its own, so a slow
// dependency holds up only the requests that wait for it.
void ServiceModel::serve(Instance& instance) {
  start_runtime(instance);
  while (true) {
    std::shared_ptr<Envelope> request = instance.server->receive();
    if (request->kind == service_kinds::restart) {
      sg4::Actor::create("restart", sg4::this_actor::get_host(), [this, &instance, request] {
        daemonize_self();
        restart(instance, request);
      });
      continue;
    }
    if (instance.down) { // no process listens on the port: the connection is refused at once
      auto refusal = std::make_unique<CallReply>();
      refusal->ok = false;
      refusal->error = "connection refused";
      instance.server->reply(*request, service_kinds::call_reply, std::move(refusal), 512);
      continue;
    }
    if (!admit(instance, *request)) continue; // admission control: a 503 at once
    if (!context_.may_start_request_actor()) { // shed load instead of running out of memory
      auto refusal = std::make_unique<CallReply>();
      refusal->ok = false;
      refusal->error = "overloaded: too many requests in flight";
      // 512 bytes, not the service's message size, as refusals always were.
      instance.server->reply(*request, service_kinds::call_reply, std::move(refusal), 512);
      continue;
    }
    ++context_.request_actors;
    sg4::Actor::create("request", sg4::this_actor::get_host(), [this, &instance, request] {
      // Counted out however the actor ends, a crash of its node included
      // (SimGrid unwinds a killed actor's stack).
      struct Leave {
        std::int64_t& count;
        Instance& instance;
        aid_t self;
        ~Leave() {
          --count;
          instance.requests.erase(self);
        }
      } leave{context_.request_actors, instance, sg4::this_actor::get_pid()};
      instance.requests[leave.self] = sg4::Actor::self();
      handle(instance, *request);
    })->daemonize();
  }
}

void ServiceModel::handle(Instance& instance, const Envelope& request) {
  const double taken_s = sg4::Engine::get_clock();
  enter_loop(instance); // (on an event loop: the request's turn on the thread)
  compute(spec_.work_s);
  instance.cpu_s += spec_.work_s;
  auto answer = std::make_unique<CallReply>();
  const scenario::Endpoint* endpoint = spec_.find(request.payload_as<Call>().endpoint);
  assert(endpoint != nullptr && "validation checked every endpoint a caller names");
  // The code this process runs decides which operation each call makes.
  const scenario::CodeVersion* version = instance.version;
  for (const auto& declared : endpoint->calls) {
    scenario::Call versioned;
    if (version != nullptr) {
      versioned = declared;
      versioned.op = spec_.op_for(version, *endpoint, declared);
    }
    const scenario::Call& call = version != nullptr ? versioned : declared;
    Outcome outcome = call_off_loop(instance, call, request);
    if (outcome.ok) continue;
    if (call.fallback != Fallback::none) {
      trace_fallback(instance, call, outcome.error);
      continue;
    }
    answer->ok = false;
    answer->unknown = outcome.unknown;
    answer->error = call.name + ": " + outcome.error;
    break;
  }
  log_request(instance, *endpoint);
  leave_loop(instance);
  instance.latency.observe(sg4::Engine::get_clock() - taken_s);
  instance.server->reply(request, service_kinds::call_reply, std::move(answer), spec_.message_bytes);
}

ServiceModel::Outcome ServiceModel::make_call(Instance& instance, const scenario::Call& call,
                                              const Envelope& request) {
  Outcome outcome;
  for (int attempt_no = 0; attempt_no <= call.retries; ++attempt_no) {
    if (attempt_no > 0 && call.backoff_s > 0) {
      double wait_s = std::min(call.backoff_max_s, call.backoff_s * std::pow(2.0, attempt_no - 1));
      if (call.jitter) wait_s = instance.rng.uniform(0, wait_s); // "full jitter": retries spread out
      sg4::this_actor::sleep_for(wait_s);
    }
    const bool unknown_before = outcome.unknown;
    outcome = attempt(instance, call, request, sg4::Engine::get_clock() + call.timeout_s);
    if (outcome.ok) break;
    // A read changes nothing, so its timeout leaves nothing in doubt; an
    // earlier attempt that may have written keeps the outcome unknown.
    outcome.unknown = call.op != "read" && (outcome.unknown || unknown_before);
  }
  return outcome;
}

ServiceModel::Outcome ServiceModel::attempt(Instance& instance, const scenario::Call& call,
                                            const Envelope& request, double deadline_s) {
  const std::string& user = request.payload_as<Call>().user;
  Outcome outcome;
  Instance::Pool* pool = nullptr;
  int connection = -1;
  if (auto it = instance.pools.find(call.to); it != instance.pools.end()) {
    pool = &it->second;
    connection = take_connection(instance, *pool, deadline_s);
    if (connection == kShed) {
      outcome.error = "shed: " + std::to_string(pool->waiting) + " calls already waiting for a connection to " +
                      call.to + " (max_waiting " + std::to_string(pool->spec->max_waiting) + ")";
      return outcome;
    }
    if (connection < 0) {
      outcome.error = "no connection to " + call.to + " within " + util::format_duration(pool->spec->wait_timeout_s) +
                      " (pool of " + std::to_string(pool->spec->size) + ", all in use)";
      return outcome;
    }
  }
  // Gives the connection back (a crash of the node made a new pool meanwhile).
  const std::uint64_t pool_generation = pool ? instance.pool_generation : 0;
  auto give_back = [&] {
    if (!pool || pool_generation != instance.pool_generation) return;
    pool_use_[pool->spec->to].in_use.add(sg4::Engine::get_clock(), -1);
    pool->busy[static_cast<std::size_t>(connection)] = false;
    pool->free->release();
  };
  if (auto callee = instance.callees.find(call.to); callee != instance.callees.end()) {
    CallRequest r;
    r.op = call.op;
    r.key = fill_template(call.key, user);
    r.caller = spec_.name;
    r.pooled = pool != nullptr;
    r.connection = context_.network.node_name(instance.node) + "/" + spec_.name +
                   (pool ? ".pool#" + std::to_string(connection) : "#" + std::to_string(instance.next_connection++));
    r.history_op = request.op;
    CallAnswer answer = callee->second->call(*instance.rpc, r, deadline_s);
    give_back();
    outcome.ok = answer.outcome == history::Outcome::ok;
    outcome.unknown = answer.outcome == history::Outcome::info;
    outcome.error = answer.error;
    return outcome;
  }
  if (auto group = instance.groups.find(call.to); group != instance.groups.end()) {
    GroupClient::Request r;
    r.write = call.op == "write";
    r.key = fill_template(call.key, user);
    if (r.write) r.value = context_.next_value++;
    r.op = request.op;
    GroupClient::Answer answer = group->second->call(r, deadline_s);
    give_back();
    outcome.ok = answer.outcome == history::Outcome::ok;
    outcome.unknown = answer.outcome == history::Outcome::info;
    outcome.error = answer.error;
    return outcome;
  }
  const ServiceModel& next = components_.get<ServiceModel>(call.to);
  std::unique_ptr<Envelope> answer =
      call_service(*instance.rpc, instance.rng, next, call.op, user, request.op, deadline_s);
  give_back();
  const CallReply* reply = answer ? &answer->payload_as<CallReply>() : nullptr;
  outcome.ok = reply && reply->ok;
  outcome.unknown = !outcome.ok && (!reply || reply->unknown);
  outcome.error = !reply ? "timeout" : reply->error;
  return outcome;
}

void ServiceModel::trace_fallback(const Instance& instance, const scenario::Call& call, const std::string& error) {
  if (!context_.trace) return;
  double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", context_.network.node_name(instance.node))
                               .str("component", spec_.name)
                               .str("why", "fallback: " + call.name + " failed (" + error + "), " +
                                               (call.fallback == Fallback::fail_open ? "failing open"
                                                                                     : "answering with a default"))
                               .done());
}

int ServiceModel::take_connection(Instance& instance, Instance::Pool& pool, double deadline_s) {
  const double start_s = sg4::Engine::get_clock();
  const std::uint64_t generation = instance.pool_generation;
  bool got = false;
  if (!pool.free->would_block()) {
    pool.free->acquire();
    got = true;
  } else {
    if (pool.spec->max_waiting >= 0 && pool.waiting >= pool.spec->max_waiting) { // the queue is full: shed
      trace_pool_shed(instance, pool);
      return kShed;
    }
    const double wait_s = std::min(pool.spec->wait_timeout_s, deadline_s - start_s);
    ++pool.waiting;
    pool_use_[pool.spec->to].waiting.add(start_s, +1);
    got = wait_s > 0 && !pool.free->acquire_timeout(wait_s);
    if (generation != instance.pool_generation) return -1; // (not reached: a crash kills the waiter too)
    --pool.waiting;
    pool_use_[pool.spec->to].waiting.add(sg4::Engine::get_clock(), -1);
    if (!got) ++pool_use_[pool.spec->to].timeouts;
    if (context_.trace) {
      const double now = sg4::Engine::get_clock();
      std::int64_t in_use = 0;
      for (bool b : pool.busy) in_use += b ? 1 : 0;
      context_.trace->add(now, history::JsonLine(now, "pool_wait")
                                   .str("node", context_.network.node_name(instance.node))
                                   .str("component", spec_.name)
                                   .str("pool", pool.spec->to)
                                   .num("waited_s", now - start_s)
                                   .str("outcome", got ? "connection" : "timeout")
                                   .integer("in_use", in_use)
                                   .integer("waiting", pool.waiting)
                                   .integer("size", pool.spec->size)
                                   .done());
    }
  }
  if (!got) return -1;
  pool_use_[pool.spec->to].in_use.add(sg4::Engine::get_clock(), +1);
  for (std::size_t i = 0; i < pool.busy.size(); ++i)
    if (!pool.busy[i]) {
      pool.busy[i] = true;
      return static_cast<int>(i);
    }
  FAULTLAB_INVARIANT(false, "a pool's semaphore let a call through with every connection busy");
  return -1;
}

void ServiceModel::reset_pools(Instance& instance) {
  ++instance.pool_generation;
  for (auto& [to, pool] : instance.pools) {
    // Its connections and its waiters die with the old pool (the waiters' actors are killed).
    const std::int64_t in_use = std::count(pool.busy.begin(), pool.busy.end(), true);
    if (in_use > 0) pool_use_[to].in_use.add(sg4::Engine::get_clock(), -in_use);
    if (pool.waiting > 0) pool_use_[to].waiting.add(sg4::Engine::get_clock(), -pool.waiting);
    pool.free = sg4::Semaphore::create(static_cast<unsigned>(pool.spec->size));
    pool.busy.assign(static_cast<std::size_t>(pool.spec->size), false);
    pool.waiting = 0;
  }
}

void ServiceModel::resources(double end_s, std::vector<analysis::ResourceUse>& out) const {
  for (const auto& pool : spec_.pools) {
    auto use = pool_use_.find(pool.to);
    analysis::ResourceUse r;
    r.id = "pool:" + spec_.name + "." + pool.to;
    r.kind = "pool";
    const auto connections = static_cast<std::int64_t>(pool.size) * static_cast<std::int64_t>(instances_.size());
    r.capacity = std::to_string(instances_.size()) + " x " + std::to_string(pool.size) + " connections";
    if (use != pool_use_.end()) {
      r.utilization = connections > 0 ? use->second.in_use.mean(end_s) / static_cast<double>(connections) : 0;
      r.peak_in_use = use->second.in_use.peak();
      r.mean_waiting = use->second.waiting.mean(end_s);
      r.max_waiting = use->second.waiting.peak();
      r.wait_timeouts = use->second.timeouts;
    }
    out.push_back(std::move(r));
  }
}

std::unique_ptr<Envelope> call_service(Rpc& rpc, util::Rng& rng, const ServiceModel& service,
                                       const std::string& endpoint, const std::string& user, std::int64_t op,
                                       double deadline_s) {
  const auto& nodes = service.instance_nodes();
  LoadBalancer& balancer = service.balancer();
  int target = -1;
  if (service.all_ready()) {
    target = balancer.pick(nodes, rng);
  } else { // a deploy is replacing some, or spare nodes wait: the balancer picks among the others
    std::vector<int> ready = service.ready_nodes();
    if (ready.empty()) ready = nodes;
    target = balancer.pick(ready, rng);
  }
  LoadBalancer::InFlight counted(balancer, target);
  auto call = std::make_unique<Call>();
  call->endpoint = endpoint;
  call->user = user;
  return rpc.call(target, service.spec().name,
                  engine::envelope(service_kinds::call, std::move(call), service.spec().message_bytes, op),
                  deadline_s);
}

std::string ServiceClient::key_for(std::size_t index, const ClientRequest& request) {
  (void)index;
  return "user:" + std::to_string(request.session);
}

void ServiceClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, request.f, request.key,
                                                   std::nullopt);
  const double deadline_s = start_s + spec_.timeout_s;
  std::unique_ptr<Envelope> answer =
      call_service(rpc_, rng_, service_, request.f, request.key, op, deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  const auto& reply = answer->payload_as<CallReply>();
  const history::Outcome outcome = reply.ok        ? history::Outcome::ok
                                   : reply.unknown ? history::Outcome::info
                                                   : history::Outcome::fail;
  context_.recorder.complete(op, now(), outcome, std::nullopt, context_.network.node_name(answer->from),
                             reply.error);
}

} // namespace faultlab::model
