// The shop's side of a purchase, one protocol per design.
#include "model/inventory.hpp"

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using history::Outcome;
using Buy = scenario::Inventory::Buy;

namespace {
std::unique_ptr<StockRead> stock_read(const std::string& item, std::int64_t token) {
  auto read = std::make_unique<StockRead>();
  read->item = item;
  read->token = token;
  return read;
}
std::unique_ptr<StockWrite> stock_write(const std::string& item, std::int64_t stock, std::int64_t token) {
  auto write = std::make_unique<StockWrite>();
  write->item = item;
  write->stock = stock;
  write->token = token;
  return write;
}
std::unique_ptr<StockLock> stock_lock(const std::string& item, std::int64_t lock_id, double deadline_s) {
  auto lock = std::make_unique<StockLock>();
  lock->item = item;
  lock->lock_id = lock_id;
  lock->deadline_s = deadline_s;
  return lock;
}
std::unique_ptr<StockUnlock> stock_unlock(const std::string& item, std::int64_t lock_id) {
  auto unlock = std::make_unique<StockUnlock>();
  unlock->item = item;
  unlock->lock_id = lock_id;
  return unlock;
}
} // namespace

BuyerClient::BuyerClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
                         const InventoryModel& inventory, const LockServiceModel* locks)
    : ClientDriver(spec, context, node, rng), inventory_(inventory), locks_(locks),
      think_rng_(context.rng("think/" + spec.name)) {}

std::string BuyerClient::key_for(std::size_t index, const ClientRequest& request) {
  (void)request;
  return inventory_.spec().items[index].first;
}

std::vector<std::string> BuyerClient::final_keys() const {
  std::vector<std::string> items;
  for (const auto& [item, units] : inventory_.spec().items) items.push_back(item);
  return items;
}

BuyerClient::Step BuyerClient::to_table(engine::MessageKind kind, std::unique_ptr<StockRequest> request,
                                        std::int64_t op, double deadline_s) {
  auto m = engine::envelope(kind, std::move(request), inventory_.spec().message_bytes, op);
  Step step;
  if (kind == stock_kinds::unlock) {
    rpc_.send(inventory_.node(), inventory_.spec().name, std::move(m));
    return step;
  }
  std::unique_ptr<Envelope> answer =
      rpc_.call(inventory_.node(), inventory_.spec().name, std::move(m), deadline_s);
  if (!answer) return step;
  const auto& reply = answer->payload_as<StockReply>();
  step.answered = true;
  step.ok = reply.ok;
  step.value = reply.stock;
  step.error = reply.error;
  return step;
}

BuyerClient::Step BuyerClient::to_locks(engine::MessageKind kind, std::unique_ptr<engine::Payload> request,
                                        std::int64_t op, double deadline_s) {
  auto m = engine::envelope(kind, std::move(request), 128, op);
  Step step;
  if (kind == lock_kinds::release) {
    rpc_.send(locks_->node(), locks_->spec().name, std::move(m));
    return step;
  }
  std::unique_ptr<Envelope> answer = rpc_.call(locks_->node(), locks_->spec().name, std::move(m), deadline_s);
  if (!answer) return step;
  step.answered = true;
  step.ok = true;
  step.token = answer->payload_as<LockGranted>().token;
  return step;
}

void BuyerClient::final_read(const ClientRequest& request) {
  const std::int64_t op = context_.recorder.invoke(now(), -1, spec_.name, "read", request.key, std::nullopt, true);
  const double deadline_s = now() + spec_.timeout_s;
  Step step = to_table(stock_kinds::read, stock_read(request.key, 0), op, deadline_s);
  if (!step.answered) return context_.recorder.complete(op, deadline_s, Outcome::info, std::nullopt, "", "timeout");
  context_.recorder.complete(op, now(), step.ok ? Outcome::ok : Outcome::fail, step.value,
                             inventory_.spec().node, step.error);
}

void BuyerClient::perform(const ClientRequest& request) {
  if (request.final_read) return final_read(request);
  const std::string& item = request.key;
  const double start_s = now();
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, "buy", item, std::nullopt);
  const double deadline_s = start_s + spec_.timeout_s;
  const std::string& table = inventory_.spec().node;
  // A step that got no answer: unknown if the unit was taken once the
  // writing request was sent; before that, nothing can have happened.
  auto no_answer = [&](bool wrote) {
    context_.recorder.complete(op, deadline_s, wrote ? Outcome::info : Outcome::fail, std::nullopt, wrote ? "" : table,
                               wrote ? "timeout" : "timeout before buying");
  };
  auto refused = [&](const Step& step, const std::string& error) {
    context_.recorder.complete(op, now(), Outcome::fail, std::nullopt, table, error.empty() ? step.error : error);
  };
  auto sold = [&](const Step& step) { context_.recorder.complete(op, now(), Outcome::ok, step.value, table); };
  auto think = [&] {
    double s = draw(inventory_.spec().think, think_rng_);
    if (s > 0) sg4::this_actor::sleep_for(s);
  };

  switch (inventory_.spec().buy) {
  case Buy::conditional: {
    auto decrement = std::make_unique<StockDecrement>();
    decrement->item = item;
    Step step = to_table(stock_kinds::decrement, std::move(decrement), op, deadline_s);
    if (!step.answered) return no_answer(true);
    return step.ok ? sold(step) : refused(step, "");
  }
  case Buy::read_then_write: {
    Step seen = to_table(stock_kinds::read, stock_read(item, 0), op, deadline_s);
    if (!seen.answered) return no_answer(false);
    if (*seen.value <= 0) return refused(seen, "sold out");
    think();
    Step wrote = to_table(stock_kinds::write, stock_write(item, *seen.value - 1, 0), op, deadline_s);
    if (!wrote.answered) return no_answer(true);
    return wrote.ok ? sold(wrote) : refused(wrote, "");
  }
  case Buy::row_lock: {
    const std::int64_t lock_id = (static_cast<std::int64_t>(node_) << 40) + next_lock_id_++;
    Step seen = to_table(stock_kinds::lock, stock_lock(item, lock_id, deadline_s), op, deadline_s);
    if (!seen.answered) {
      to_table(stock_kinds::unlock, stock_unlock(item, lock_id), op, deadline_s); // stop waiting
      return no_answer(false);
    }
    if (*seen.value <= 0) {
      to_table(stock_kinds::unlock, stock_unlock(item, lock_id), op, deadline_s);
      return refused(seen, "sold out");
    }
    think();
    Step wrote = to_table(stock_kinds::write, stock_write(item, *seen.value - 1, lock_id), op, deadline_s);
    if (!wrote.answered) return no_answer(true);
    return wrote.ok ? sold(wrote) : refused(wrote, "");
  }
  case Buy::lease_lock: {
    auto acquire = std::make_unique<LockAcquire>();
    acquire->name = item;
    acquire->deadline_s = deadline_s;
    Step lease = to_locks(lock_kinds::acquire, std::move(acquire), op, deadline_s);
    if (!lease.answered) return no_answer(false);
    // The shop checks its lease before acting, on its own clock. A frozen
    // process's clock stopped with it, so after a pause this check passes.
    const double leased_at = context_.network.local_time_s(node_);
    const std::int64_t token = inventory_.spec().fencing ? lease.token : 0;
    auto release = [&] {
      auto message = std::make_unique<LockRelease>();
      message->name = item;
      message->token = lease.token;
      to_locks(lock_kinds::release, std::move(message), op, deadline_s);
    };
    Step seen = to_table(stock_kinds::read, stock_read(item, token), op, deadline_s);
    if (!seen.answered || !seen.ok || *seen.value <= 0) {
      release();
      if (!seen.answered) return no_answer(false);
      return refused(seen, seen.ok ? "sold out" : "");
    }
    think();
    if (context_.network.local_time_s(node_) - leased_at >= locks_->spec().lease_s) {
      release();
      return refused(seen, "lease expired before writing");
    }
    Step wrote = to_table(stock_kinds::write, stock_write(item, *seen.value - 1, token), op, deadline_s);
    release();
    if (!wrote.answered) return no_answer(true);
    return wrote.ok ? sold(wrote) : refused(wrote, "");
  }
  }
}

} // namespace faultlab::model
