#include "components/database/model.hpp"

#include "engine/platform.hpp"
#include "history/json_line.hpp"
#include "model/invariant.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using scenario::Database;

using Shape = Database::Shape;
using database_detail::kForever;

DatabaseModel::DatabaseModel(const Database& spec, Context& context)
    : spec_(spec), context_(context), rng_(context.rng("database/" + spec.name)) {
  primary_node_ = context_.network.node_index(spec_.node);
  primary_ = std::make_unique<Server>(context_, primary_node_, spec_.name);
  if (spec_.standby) {
    standby_node_ = context_.network.node_index(*spec_.standby);
    standby_ = std::make_unique<Server>(context_, standby_node_, spec_.name);
  }
  const scenario::Node* node = context_.scenario.topology.find(spec_.node);
  memory_bytes_ = node->memory_bytes;
  disk_bytes_ = node->disk_bytes;
  // Resource levels go to the trace about 500 times per run, whatever its length.
  const double run_s = context_.scenario.workload.duration_s + context_.scenario.workload.settle_s;
  sample_s_ = std::max(0.5, run_s / 500.0);
  for (const auto& t : spec_.tables) {
    TableState& state = tables_[t.name];
    state.spec = &t;
    state.indexes = t.indexes;
    state.columns = t.columns;
    state.bucket_s = t.partition_s.value_or(3600.0);
    add_rows(state, t.rows, 0.0); // rows already there count as written at the start
  }
}

void DatabaseModel::start() {
  auto forget = [this](int node) {
    // What lived in the serving node's memory dies with it: statements in
    // progress, their locks, the connections. Tables are on disk (and on
    // the synchronous standby).
    if (node != serving_node()) return;
    ++epoch_;
    running_.clear();
    table_locks_.clear();
    row_locks_.clear();
    connections_.clear();
  };
  primary_->start([this] { serve(primary_node_); }, [this, forget] { forget(primary_node_); });
  context_.hooks.on_restart[primary_node_].push_back([this] {
    // Crash recovery replays the log before connections are accepted (a
    // demoted primary serves nothing anyway).
    if (down_until_s_ != kForever && !promoted_) {
      down_until_s_ = sg4::Engine::get_clock() + spec_.recovery_s;
      down_reason_ = "the database system is in recovery mode";
    }
  });
  if (standby_) {
    standby_->start([this] { serve(standby_node_); }, [this, forget] { forget(standby_node_); });
    context_.hooks.on_crash[primary_node_].push_back([this] {
      if (promoted_) return;
      // The standby notices the primary is gone and is promoted after the failover time.
      sg4::Actor::create(spec_.name + ".failover", context_.network.host(standby_node_), [this] {
        daemonize_self();
        sg4::this_actor::sleep_for(spec_.failover_s);
        if (context_.network.is_up(primary_node_) || promoted_) return;
        promoted_ = true;
        trace_state(standby_node_, "promoted: the standby " + *spec_.standby + " serves queries now");
      });
    });
  }
  // The sampler only reads the model's state, so it runs outside the system
  // (on the fault schedule's host): a crash of the database's node must not
  // stop the samples.
  sg4::Actor::create(spec_.name + ".levels", sg4::Host::by_name(engine::kControlHost), [this] {
    daemonize_self();
    watch();
  });
  // Jobs are not daemons: a job scheduled after the clients' last request
  // still runs (each ends with the workload's duration).
  for (const auto& job : spec_.jobs)
    sg4::Actor::create(job.name, context_.network.host(primary_node_), [this, &job] { run_job(job); });
}

// Every statement gets an actor of its own (a backend process).
void DatabaseModel::serve(int node) {
  while (true) {
    Server& server = node == primary_node_ ? *primary_ : *standby_;
    std::shared_ptr<Envelope> request = server.receive();
    if (request->kind == database_kinds::cancel) {
      if (node == serving_node()) cancel(request->payload_as<CancelRequest>().connection);
      continue;
    }
    if (request->kind != database_kinds::query) continue;
    if (!context_.may_start_request_actor()) {
      auto refusal = std::make_unique<QueryReply>();
      refusal->error = "overloaded: too many requests in flight";
      server.reply(*request, database_kinds::query_reply, std::move(refusal), spec_.message_bytes);
      continue;
    }
    ++context_.request_actors;
    sg4::Actor::create("statement", sg4::this_actor::get_host(), [this, node, request] {
      daemonize_self();
      struct Leave {
        std::int64_t& count;
        ~Leave() { --count; }
      } leave{context_.request_actors};
      run(node, request);
    });
  }
}

void DatabaseModel::cancel(const std::string& connection) {
  for (auto& [id, r] : running_) {
    if (r->connection != connection || r->cancelled) continue;
    r->cancelled = true;
    // Simcalls last: the statement's actor may run during them.
    if (r->waiting && !r->waiting->granted) r->waiting->wake->release();
    else if (r->activity) r->activity->cancel();
    return;
  }
}

void DatabaseModel::run(int node, std::shared_ptr<Envelope> envelope) {
  const QueryRequest& request = envelope->payload_as<QueryRequest>();
  Server& server = node == primary_node_ ? *primary_ : *standby_;
  auto answer = [&](const std::string& error) {
    auto reply = std::make_unique<QueryReply>();
    reply->ok = error.empty();
    reply->error = error;
    server.reply(*envelope, database_kinds::query_reply, std::move(reply), spec_.message_bytes);
  };
  const double now = sg4::Engine::get_clock();
  if (node != serving_node()) return answer("cannot execute in a read-only transaction: this node is a standby");
  if (now < down_until_s_) return answer(down_reason_);
  const Database::Query& query = *spec_.find_query(request.query);

  // 1. The connection, and the memory it and the statement need.
  const bool had_connection = connections_.count(request.connection) > 0;
  if (!had_connection) {
    if (static_cast<int>(connections_.size()) >= spec_.max_connections)
      return answer("sorry, too many clients already (max_connections " + std::to_string(spec_.max_connections) + ")");
    connections_.insert(request.connection);
  }
  auto running = std::make_shared<Running>();
  running->id = next_id_++;
  running->connection = request.connection;
  TableState& table = tables_.at(query.table);
  advance(table, now);
  const Plan expected = plan(query, table, request.batch);
  running->work_mem = expected.sorts ? (query.work_mem_bytes > 0 ? query.work_mem_bytes : spec_.work_mem_bytes) : 0;
  running_[running->id] = running;
  if (memory_bytes_ > 0 && memory_used() > memory_bytes_) {
    stop("out of memory: " + util::format_bytes(memory_used()) + " needed (shared_buffers " +
             util::format_bytes(spec_.shared_buffers_bytes) + ", " + std::to_string(connections_.size()) +
             " connections, " + std::to_string(running_.size()) + " statements' work_mem) on a node with " +
             util::format_bytes(memory_bytes_),
         "oom", spec_.recovery_s);
    return answer("server closed the connection unexpectedly (out of memory)");
  }
  const std::uint64_t epoch = epoch_;
  const double statement_timeout_s = query.statement_timeout_s > 0 ? query.statement_timeout_s : spec_.statement_timeout_s;
  const double deadline_s = statement_timeout_s > 0 ? now + statement_timeout_s : kForever;
  std::string error = execute(query, request, running, deadline_s, epoch);
  if (epoch != epoch_) return answer("server closed the connection unexpectedly (" + down_reason_ + ")");
  running_.erase(running->id);
  if (!request.pooled) connections_.erase(request.connection);
  answer(error);
}

std::string DatabaseModel::execute(const Database::Query& query, const QueryRequest& request,
                                   std::shared_ptr<Running> running, double deadline_s, std::uint64_t epoch) {
  const std::string who = request.who + (request.history_op >= 0 ? " (op " + std::to_string(request.history_op) + ")" : "");
  const double lock_timeout_s = query.lock_timeout_s > 0 ? query.lock_timeout_s : spec_.lock_timeout_s;
  // 2. Locks: the table's, then the row's for an update.
  std::shared_ptr<LockRequest> table_lock, row_lock;
  LockQueue* table_queue = &table_locks_[query.table];
  Acquired got = acquire(*table_queue, query.table, query.lock_mode(), who + " " + query.name, lock_timeout_s,
                         deadline_s, *running, epoch);
  if (epoch != epoch_) return "";
  if (!got.ok) return got.error;
  auto release_all = [&] {
    if (epoch != epoch_) return; // the lock tables were wiped with everything else
    if (row_lock) release(row_locks_[query.table + "/" + request.key], row_lock);
    release(table_locks_[query.table], table_lock);
  };
  for (const auto& held : table_queue->held)
    if (held->id == running->id) table_lock = held;
  if (std::string error = resolve(query, tables_.at(query.table)); !error.empty()) {
    if (context_.trace) {
      const double t = sg4::Engine::get_clock();
      history::JsonLine line(t, "query");
      line.str("node", context_.network.node_name(serving_node()))
          .str("component", spec_.name)
          .str("query", query.name)
          .str("who", request.who);
      if (request.history_op >= 0) line.integer("op", request.history_op);
      line.num("rows_examined", 0).str("plan", "none: parse analysis failed").num("cpu_s", 0).num("io_bytes", 0)
          .num("run_s", 0).str("outcome", error);
      context_.trace->add(t, line.done());
    }
    release_all();
    return error;
  }
  if (query.shape == Shape::update) {
    LockQueue& rows = row_locks_[query.table + "/" + request.key];
    got = acquire(rows, query.table + " row " + request.key, Mode::access_exclusive, who + " " + query.name,
                  lock_timeout_s, deadline_s, *running, epoch);
    if (epoch != epoch_) return "";
    if (!got.ok) {
      release_all();
      return got.error;
    }
    for (const auto& held : rows.held)
      if (held->id == running->id) row_lock = held;
  }

  // 3. The work, planned on the table as it is now.
  TableState& table = tables_.at(query.table);
  advance(table, sg4::Engine::get_clock());
  Plan p = plan(query, table, request.batch);
  topo::CascadeResult cascade;
  if (query.shape == Shape::remove) p = plan_delete(query, request.key, cascade);
  const double io_bytes = p.pages_read * (1.0 - hit_ratio()) * spec_.page_bytes;
  // (The product in the order it always had, so existing traces stay byte-identical.)
  const double cpu_s =
      p.rows_examined * spec_.cpu_per_row_s +
      (p.writes_with_indexes >= 0
           ? p.writes_with_indexes * spec_.write_per_row_s
           : p.rows_written * spec_.write_per_row_s * (1.0 + static_cast<double>(table.indexes.size())));
  const double started_s = sg4::Engine::get_clock();
  auto timed = [&](sg4::ActivityPtr activity) -> std::string {
    running->activity = activity;
    try {
      if (deadline_s == kForever) activity->wait();
      else activity->wait_for(std::max(0.0, deadline_s - sg4::Engine::get_clock()));
    } catch (const simgrid::TimeoutException&) {
      activity->cancel();
      running->activity = nullptr;
      ++statement_timeouts_;
      return "canceling statement due to statement timeout";
    } catch (const simgrid::CancelException&) {
      running->activity = nullptr;
      return running->cancelled ? "canceling statement due to user request" : "server closed the connection unexpectedly";
    }
    running->activity = nullptr;
    return "";
  };
  std::string error;
  sg4::Host* host = sg4::this_actor::get_host();
  sg4::Disk* disk = host->get_disks().front();
  if (io_bytes >= 1) error = timed(disk->io_init(static_cast<sg_size_t>(io_bytes), sg4::Io::OpType::READ)->start());
  if (epoch != epoch_) return "";
  if (error.empty() && cpu_s > 0) error = timed(sg4::this_actor::exec_init(cpu_s * host->get_pstate_speed(0))->start());
  if (epoch != epoch_) return "";
  if (error.empty() && p.bytes_written >= 1)
    error = timed(disk->io_init(static_cast<sg_size_t>(p.bytes_written), sg4::Io::OpType::WRITE)->start());
  if (epoch != epoch_) return "";
  rows_examined_ += p.rows_examined;

  // 4. The effect, then the transaction's hold on its locks.
  if (error.empty() && cascade.refused_by) {
    // PostgreSQL's words: the RESTRICT check fails and the whole statement rolls back.
    const topo::ForeignKey& k = *cascade.refused_by;
    error = "update or delete on table \"" + k.parent + "\" violates foreign key constraint \"" + k.child + "_" +
            k.column + "_fkey\" on table \"" + k.child + "\"";
  }
  if (error.empty()) {
    advance(table, sg4::Engine::get_clock());
    apply(query, table, p);
    if (query.shape == Shape::remove) apply_delete(query, request.key, cascade, who);
    if (disk_bytes_ > 0 && node_disk_used() >= disk_bytes_) {
      stop("disk full: " + util::format_bytes(node_disk_used()) + " of " + util::format_bytes(disk_bytes_) +
               " used; the write-ahead log cannot be written (PANIC)",
           "disk_full", kForever);
      return "";
    }
  }
  if (context_.trace) {
    const double t = sg4::Engine::get_clock();
    history::JsonLine line(t, "query");
    line.str("node", context_.network.node_name(serving_node()))
        .str("component", spec_.name)
        .str("query", query.name)
        .str("who", request.who);
    if (request.history_op >= 0) line.integer("op", request.history_op);
    line.num("rows_examined", std::round(p.rows_examined))
        .str("plan", p.access)
        .num("cpu_s", cpu_s)
        .num("io_bytes", std::round(io_bytes))
        .num("run_s", t - started_s)
        .str("outcome", error.empty() ? "ok" : error);
    context_.trace->add(t, line.done());
  }
  if (error.empty() && query.hold_s > 0) sg4::this_actor::sleep_for(query.hold_s);
  if (epoch != epoch_) return "";
  release_all();
  return error;
}

void DatabaseModel::stop(const std::string& why, const std::string& incident, double down_s) {
  const double now = sg4::Engine::get_clock();
  for (auto& [name, table] : tables_) advance(table, now); // up to the moment it stops
  ++epoch_;
  std::vector<std::shared_ptr<Running>> victims;
  for (auto& [id, r] : running_) victims.push_back(r);
  running_.clear();
  table_locks_.clear();
  row_locks_.clear();
  connections_.clear();
  down_until_s_ = down_s == kForever ? kForever : now + down_s;
  down_reason_ = incident == "disk_full" ? "could not write to the write-ahead log: No space left on device"
                                         : "the database system is in recovery mode";
  // The incident is part of the history, as the provider's ledger is: the
  // checkers read it there.
  const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, incident, spec_.node, std::nullopt);
  context_.recorder.complete(op, now, history::Outcome::ok, std::nullopt, spec_.node, why);
  trace_state(serving_node(), why);
  trace_level();
  // Every statement in progress fails. Cancels and releases are simcalls
  // (other actors run meanwhile), so they come after the state is settled.
  for (auto& r : victims) {
    r->aborted = true;
    if (r->activity) r->activity->cancel();
    if (r->waiting && r->waiting->wake) r->waiting->wake->release();
  }
}

void DatabaseModel::watch() {
  while (true) {
    trace_level();
    const double now = sg4::Engine::get_clock();
    double next = now + sample_s_;
    if (disk_bytes_ > 0 && down_until_s_ != kForever) {
      // When does the disk fill at today's growth? Wake up then rather than a sample later.
      double used = node_disk_used(), rate = 0;
      for (const auto& [name, table] : tables_) rate += table.spec->growth_per_s * row_bytes(table);
      if (used >= disk_bytes_) {
        stop("disk full: " + util::format_bytes(used) + " of " + util::format_bytes(disk_bytes_) +
                 " used; the write-ahead log cannot be written (PANIC)",
             "disk_full", kForever);
        next = now + sample_s_;
      } else if (rate > 0) {
        next = std::min(next, now + std::max(1e-3, (disk_bytes_ - used) / rate));
      }
    }
    sg4::this_actor::sleep_until(next);
  }
}

void DatabaseModel::run_job(const Database::Job& job) {
  sg4::this_actor::sleep_until(job.at_s);
  Rpc rpc(context_, primary_node_, job.name);
  const Database::Query& query = *spec_.find_query(job.query);
  const double end_s = context_.scenario.workload.duration_s;
  std::int64_t runs = 0;
  while (sg4::Engine::get_clock() < end_s) {
    for (int b = 0; b < job.batches && sg4::Engine::get_clock() < end_s; ++b) {
      bool ok = false;
      for (int attempt = 0; attempt <= job.retries && !ok && sg4::Engine::get_clock() < end_s; ++attempt) {
        if (attempt > 0) sg4::this_actor::sleep_for(job.backoff_s);
        const double t = sg4::Engine::get_clock();
        const std::string key =
            !job.key.empty() ? job.key : job.batches > 1 ? "batch-" + std::to_string(b) : query.table;
        const std::int64_t op = context_.recorder.invoke(t, runs, job.name, query.name, key, std::nullopt);
        auto request = std::make_unique<QueryRequest>();
        request->query = query.name;
        request->key = key;
        request->who = job.name;
        request->connection = job.name; // one connection, kept open between runs
        request->pooled = true;
        request->batch = b;
        request->history_op = op;
        // A job waits as long as the statement runs; a dead database is
        // noticed within an hour, and nothing waits past the workload's end.
        CallAnswer answer = send(rpc, std::move(request), std::min(t + 3600.0, std::max(end_s, t + 1.0)));
        ok = answer.outcome == history::Outcome::ok;
        context_.recorder.complete(op, sg4::Engine::get_clock(), answer.outcome, std::nullopt, answer.node, answer.error);
      }
      if (!ok) break; // this run gives up; the next one starts from its first batch
    }
    ++runs;
    if (!job.every_s) return;
    const double next = job.at_s + static_cast<double>(runs) * *job.every_s;
    sg4::this_actor::sleep_until(std::max(next, sg4::Engine::get_clock()));
  }
}

void DatabaseModel::trace_level() {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  double rows = 0;
  for (auto& [name, table] : tables_) {
    advance(table, t);
    rows += table.rows;
  }
  const double disk = node_disk_used();
  if (disk_bytes_ > 0) disk_used_fraction_max_ = std::max(disk_used_fraction_max_, disk / disk_bytes_);
  std::int64_t waiting = 0;
  for (const auto& [name, q] : table_locks_) waiting += static_cast<std::int64_t>(q.waiting.size());
  history::JsonLine line(t, "level");
  line.str("node", context_.network.node_name(serving_node()))
      .str("component", spec_.name)
      .num("rows", std::round(rows))
      .num("disk_used", std::round(disk));
  if (disk_bytes_ > 0) line.num("disk_size", disk_bytes_);
  line.num("memory_used", std::round(memory_used()));
  if (memory_bytes_ > 0) line.num("memory_size", memory_bytes_);
  line.integer("connections", static_cast<std::int64_t>(connections_.size()))
      .integer("running", static_cast<std::int64_t>(running_.size()))
      .integer("lock_waiting", waiting)
      .num("cache_hit", std::round(hit_ratio() * 1000) / 1000);
  context_.trace->add(t, line.done());
}

void DatabaseModel::trace_state(int node, const std::string& why) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  context_.trace->add(t, history::JsonLine(t, "state")
                             .str("node", context_.network.node_name(node))
                             .str("component", spec_.name)
                             .str("why", why)
                             .done());
}

CallAnswer DatabaseModel::send(Rpc& rpc, std::unique_ptr<QueryRequest> request, double deadline_s) {
  const std::int64_t op = request->history_op;
  const std::string connection = request->connection;
  const int target = serving_node();
  std::unique_ptr<Envelope> answer = rpc.call(
      target, spec_.name, engine::envelope(database_kinds::query, std::move(request), spec_.message_bytes, op),
      deadline_s);
  CallAnswer out;
  if (!answer) {
    // The driver gives up and asks the server to cancel the statement.
    auto cancel = std::make_unique<CancelRequest>();
    cancel->connection = connection;
    rpc.send(target, spec_.name, engine::envelope(database_kinds::cancel, std::move(cancel), 128, op));
    out.outcome = history::Outcome::info;
    out.error = "timeout";
    return out;
  }
  const QueryReply& reply = answer->payload_as<QueryReply>();
  out.outcome = reply.ok ? history::Outcome::ok : history::Outcome::fail;
  out.error = reply.error;
  out.node = context_.network.node_name(answer->from);
  return out;
}

CallAnswer DatabaseModel::call(Rpc& rpc, const CallRequest& call, double deadline_s) {
  auto request = std::make_unique<QueryRequest>();
  request->query = call.op;
  request->key = call.key;
  request->who = call.caller;
  request->connection = call.connection;
  request->pooled = call.pooled;
  request->history_op = call.history_op;
  CallAnswer answer = send(rpc, std::move(request), deadline_s);
  // A read that timed out changed nothing.
  if (answer.outcome == history::Outcome::info && !spec_.find_query(call.op)->writes())
    answer.outcome = history::Outcome::fail;
  return answer;
}

void DatabaseModel::report(ModelStats& stats) const {
  stats.values["db_rows_examined"] += rows_examined_;
  stats.values["db_lock_wait_max_s"] = std::max(stats.values["db_lock_wait_max_s"], lock_wait_max_s_);
  stats.values["db_lock_timeouts"] += static_cast<double>(lock_timeouts_);
  stats.values["db_statement_timeouts"] += static_cast<double>(statement_timeouts_);
  stats.values["db_disk_used_fraction_max"] =
      std::max(stats.values["db_disk_used_fraction_max"], disk_used_fraction_max_);
}

void DatabaseClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, request.f, request.key,
                                                   std::nullopt, request.final_read);
  CallRequest call;
  call.op = request.f;
  call.key = request.key;
  call.caller = spec_.name;
  call.connection = spec_.name + "#" + std::to_string(op);
  call.history_op = op;
  CallAnswer answer = db_.call(rpc_, call, start_s + spec_.timeout_s);
  const double end_s = answer.outcome == history::Outcome::info && answer.error == "timeout" ? start_s + spec_.timeout_s : now();
  context_.recorder.complete(op, end_s, answer.outcome, std::nullopt, answer.node, answer.error);
}

} // namespace faultlab::model
