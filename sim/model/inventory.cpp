// The stock table (with row locks and fencing) and the lock service.
#include "model/invariant.hpp"
#include "model/inventory.hpp"

#include "history/json_line.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using Buy = scenario::Inventory::Buy;

namespace {
// Whoever gave up waiting (its deadline passed) is not handed a lock.
bool gave_up(double deadline_s) { return deadline_s >= 0 && sg4::Engine::get_clock() > deadline_s; }
} // namespace

InventoryModel::InventoryModel(const scenario::Inventory& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name) {
  for (const auto& [item, units] : spec_.items) rows_[item].stock = units;
}

void InventoryModel::start() {
  server_.start([this] { serve(); },
                [this] {
                  for (auto& [item, row] : rows_) row.holder = 0, row.waiters.clear(); // locks: memory
                });
}

// Requests one at a time; wakes up on its own when a held row lock is due
// to be broken.
void InventoryModel::serve() {
  auto next_break_s = [this] {
    double wake_s = -1;
    for (const auto& [item, row] : rows_)
      if (row.holder != 0 && (wake_s < 0 || row.locked_s + spec_.lock_timeout_s < wake_s))
        wake_s = row.locked_s + spec_.lock_timeout_s;
    return wake_s;
  };
  server_.serve(
      spec_.service_time_s, [this](std::unique_ptr<Envelope> request) { handle(std::move(request)); },
      next_break_s, [this] { release_expired(); });
}

void InventoryModel::answer(const Envelope& request, engine::MessageKind kind, bool ok,
                            std::optional<std::int64_t> stock, const std::string& error) {
  auto reply = std::make_unique<StockReply>();
  reply->ok = ok;
  reply->stock = stock;
  reply->error = error;
  server_.reply(request, kind, std::move(reply), spec_.message_bytes);
}

std::int64_t InventoryModel::initial_units(const std::string& item) const {
  for (const auto& [name, units] : spec_.items)
    if (name == item) return units;
  return 0;
}

bool InventoryModel::fenced(Row& row, const Envelope& request, std::int64_t token,
                            engine::MessageKind reply_kind) {
  if (!spec_.fencing) return false;
  // A read without a token is a plain read by someone who holds no lease
  // (the final stock count); fencing guards what lease holders do.
  if (token == 0 && request.kind == stock_kinds::read) return false;
  if (token < row.max_token) {
    std::string why =
        "fenced: token " + std::to_string(token) + " is older than token " + std::to_string(row.max_token);
    trace(request.payload_as<StockRequest>().item, row, "refused a " + request.kind.name() + ", " + why);
    answer(request, reply_kind, false, std::nullopt, why);
    return true;
  }
  FAULTLAB_INVARIANT(token >= row.max_token, "a fencing token seen by the stock table only increases");
  row.max_token = token;
  return false;
}

void InventoryModel::handle(std::unique_ptr<Envelope> request) {
  const std::string& item = request->payload_as<StockRequest>().item;
  auto it = rows_.find(item);
  if (it == rows_.end()) return; // validation makes clients ask only for known items
  Row& row = it->second;
  const engine::MessageKind kind = request->kind;
  if (kind == stock_kinds::read) {
    const auto& read = request->payload_as<StockRead>();
    if (!fenced(row, *request, read.token, stock_kinds::read_reply))
      answer(*request, stock_kinds::read_reply, true, row.stock);
  } else if (kind == stock_kinds::write) {
    const auto& write = request->payload_as<StockWrite>();
    if (fenced(row, *request, write.token, stock_kinds::write_reply)) return;
    if (spec_.buy == Buy::row_lock && row.holder != write.token)
      return answer(*request, stock_kinds::write_reply, false, std::nullopt,
                    "lock lost: it was broken after the lock timeout");
    // The model has no restock, and a buyer writes what it read minus one
    // unit, only when it read at least one: whatever the race, the stock
    // stays between zero and what the item started with.
    FAULTLAB_INVARIANT(write.stock >= 0 && write.stock <= initial_units(item),
                       "stock of " + item + " written as " + std::to_string(write.stock) + ", outside 0.." +
                           std::to_string(initial_units(item)));
    row.stock = write.stock;
    trace(item, row,
          write.token != 0 && spec_.buy == Buy::lease_lock
              ? "stock written with token " + std::to_string(write.token)
              : "stock written");
    answer(*request, stock_kinds::write_reply, true, row.stock);
    if (spec_.buy == Buy::row_lock) {
      row.holder = 0; // the commit releases the row lock
      grant_next(row);
    }
  } else if (kind == stock_kinds::lock) {
    if (row.holder == 0) {
      row.holder = request->payload_as<StockLock>().lock_id;
      row.locked_s = sg4::Engine::get_clock();
      answer(*request, stock_kinds::lock_reply, true, row.stock);
    } else if (context_.queue_has_room(row.waiters.size())) {
      row.waiters.push_back(std::move(request));
    } // else shed: the buyer's wait times out, as with a full lock queue
  } else if (kind == stock_kinds::unlock) {
    const std::int64_t lock_id = request->payload_as<StockUnlock>().lock_id;
    if (row.holder == lock_id) {
      row.holder = 0;
      grant_next(row);
    } else {
      auto& w = row.waiters;
      w.erase(std::remove_if(
                  w.begin(), w.end(),
                  [&](const auto& x) { return x->template payload_as<StockLock>().lock_id == lock_id; }),
              w.end());
    }
  } else if (kind == stock_kinds::decrement) {
    if (row.stock > 0) {
      --row.stock;
      trace(item, row, "stock decremented");
      answer(*request, stock_kinds::decrement_reply, true, row.stock);
    } else {
      answer(*request, stock_kinds::decrement_reply, false, std::nullopt, "sold out");
    }
  }
}

void InventoryModel::grant_next(Row& row) {
  while (!row.waiters.empty() && row.holder == 0) {
    std::unique_ptr<Envelope> next = std::move(row.waiters.front());
    row.waiters.pop_front();
    const auto& lock = next->payload_as<StockLock>();
    if (gave_up(lock.deadline_s)) continue;
    row.holder = lock.lock_id;
    row.locked_s = sg4::Engine::get_clock();
    answer(*next, stock_kinds::lock_reply, true, row.stock);
  }
}

void InventoryModel::release_expired() {
  double now = sg4::Engine::get_clock();
  for (auto& [item, row] : rows_) {
    if (row.holder == 0 || now < row.locked_s + spec_.lock_timeout_s) continue;
    row.holder = 0;
    trace(item, row, "row lock broken: held longer than the lock timeout");
    grant_next(row);
  }
}

void InventoryModel::trace(const std::string& item, const Row& row, const std::string& why) {
  if (!context_.trace) return;
  double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", spec_.node)
                               .str("component", spec_.name)
                               .str("key", item)
                               .integer("value", row.stock)
                               .str("why", why)
                               .done());
}

LockServiceModel::LockServiceModel(const scenario::LockService& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name) {}

void LockServiceModel::start() {
  server_.start([this] { serve(); }, [this] { locks_.clear(); });
}

// Leases are measured with the lock service's clock: when one runs out, the
// next waiter gets the lock, whatever the old holder believes.
void LockServiceModel::serve() {
  auto next_expiry_s = [this] {
    double wake_s = -1;
    for (const auto& [name, lock] : locks_)
      if (lock.token != 0 && (wake_s < 0 || lock.expires_s < wake_s)) wake_s = lock.expires_s;
    return wake_s;
  };
  auto expire = [this] {
    const double now = sg4::Engine::get_clock();
    for (auto& [name, lock] : locks_)
      if (lock.token != 0 && now >= lock.expires_s) {
        trace(name, lock.token, "lease with token " + std::to_string(lock.token) + " expired");
        lock.token = 0;
        grant_next(name, lock);
      }
  };
  server_.serve(
      spec_.service_time_s, [this](std::unique_ptr<Envelope> request) { handle(std::move(request)); },
      next_expiry_s, expire);
}

void LockServiceModel::handle(std::unique_ptr<Envelope> request) {
  if (request->kind == lock_kinds::acquire) {
    const std::string name = request->payload_as<LockAcquire>().name;
    Lock& lock = locks_[name];
    if (!context_.queue_has_room(lock.waiters.size())) return; // shed: the requester times out
    lock.waiters.push_back(std::move(request));
    grant_next(name, lock);
  } else if (request->kind == lock_kinds::release) {
    const auto& release = request->payload_as<LockRelease>();
    Lock& lock = locks_[release.name];
    if (lock.token == release.token) {
      trace(release.name, lock.token, "lease with token " + std::to_string(lock.token) + " released");
      lock.token = 0;
      grant_next(release.name, lock);
    } else {
      trace(release.name, release.token,
            "release of token " + std::to_string(release.token) + " ignored: that lease is over");
    }
  }
}

void LockServiceModel::grant_next(const std::string& name, Lock& lock) {
  while (lock.token == 0 && !lock.waiters.empty()) {
    std::unique_ptr<Envelope> next = std::move(lock.waiters.front());
    lock.waiters.pop_front();
    if (gave_up(next->payload_as<LockAcquire>().deadline_s)) continue;
    FAULTLAB_INVARIANT(next_token_ > last_granted_token_, "a lease's fencing token only increases");
    lock.token = next_token_++;
    last_granted_token_ = lock.token;
    lock.expires_s = sg4::Engine::get_clock() + spec_.lease_s;
    auto granted = std::make_unique<LockGranted>();
    granted->token = lock.token;
    server_.reply(*next, lock_kinds::acquire_reply, std::move(granted), 128);
    trace(name, lock.token,
          "lease granted to " + context_.network.node_name(next->from) + " with token " + std::to_string(lock.token));
  }
}

void LockServiceModel::trace(const std::string& name, std::int64_t token, const std::string& why) {
  if (!context_.trace) return;
  double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", spec_.node)
                               .str("component", spec_.name)
                               .str("key", name)
                               .integer("value", token)
                               .str("why", why)
                               .done());
}

} // namespace faultlab::model
