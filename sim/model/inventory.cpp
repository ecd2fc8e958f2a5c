// The stock table (with row locks and fencing) and the lock service.
#include "model/inventory.hpp"

#include "history/json_line.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Message;
using engine::MsgKind;

namespace {
void send_answer(Context& context, int node, const Message& request, MsgKind kind, bool ok,
                 std::optional<std::int64_t> value, std::int64_t token, const std::string& error, std::int64_t size) {
  auto answer = std::make_unique<Message>();
  answer->kind = kind;
  answer->op = request.op;
  answer->exchange = request.exchange;
  answer->ok = ok;
  answer->value = value;
  answer->token = token;
  answer->error = error;
  answer->size_bytes = size;
  context.network.send(node, request.from, request.reply_to, std::move(answer));
}

// Whoever gave up waiting (its deadline passed) is not handed a lock.
bool gave_up(const Message& waiter) { return waiter.deadline_s >= 0 && sg4::Engine::get_clock() > waiter.deadline_s; }
} // namespace

InventoryModel::InventoryModel(const scenario::Inventory& spec, Context& context)
    : spec_(spec), context_(context), node_(context.network.node_index(spec.node)) {
  for (const auto& [item, units] : spec_.items) rows_[item].stock = units;
}

void InventoryModel::start() {
  auto launch = [this] { sg4::Actor::create(spec_.name, context_.network.host(node_), [this] { serve(); })->daemonize(); };
  context_.hooks.on_crash[node_].push_back([this] {
    for (auto& [item, row] : rows_) row.holder = 0, row.waiters.clear(); // locks live in memory
  });
  context_.hooks.on_restart[node_].push_back(launch);
  launch();
}

void InventoryModel::serve() {
  auto* inbox = sg4::Mailbox::by_name(engine::Network::address(spec_.node, spec_.name));
  inbox->set_receiver(sg4::Actor::self());
  while (true) {
    // Sleep until the next message, or until a held row lock is due to be broken.
    double wake_s = -1;
    for (const auto& [item, row] : rows_)
      if (row.holder != 0 && (wake_s < 0 || row.locked_s + spec_.lock_timeout_s < wake_s))
        wake_s = row.locked_s + spec_.lock_timeout_s;
    double timeout_s = wake_s < 0 ? -1.0 : std::max(0.0, wake_s - sg4::Engine::get_clock()) + 1e-9;
    std::unique_ptr<Message> m = context_.network.receive(inbox, timeout_s);
    release_expired();
    if (!m) continue;
    compute(spec_.service_time_s);
    handle(std::move(m));
  }
}

void InventoryModel::answer(const Message& request, MsgKind kind, bool ok, std::optional<std::int64_t> value,
                            const std::string& error) {
  send_answer(context_, node_, request, kind, ok, value, request.token, error, spec_.message_bytes);
}

bool InventoryModel::fenced(Row& row, const Message& m, MsgKind reply_kind) {
  if (!spec_.fencing) return false;
  // A read without a token is a plain read by someone who holds no lease
  // (the final stock count); fencing guards what lease holders do.
  if (m.token == 0 && m.kind == MsgKind::stock_read) return false;
  if (m.token < row.max_token) {
    std::string why = "fenced: token " + std::to_string(m.token) + " is older than token " +
                      std::to_string(row.max_token);
    trace(m.key, row, "refused a " + std::string(engine::to_string(m.kind)) + ", " + why);
    answer(m, reply_kind, false, std::nullopt, why);
    return true;
  }
  row.max_token = m.token;
  return false;
}

void InventoryModel::handle(std::unique_ptr<Message> m) {
  auto it = rows_.find(m->key);
  if (it == rows_.end()) return; // validation makes clients ask only for known items
  Row& row = it->second;
  switch (m->kind) {
  case MsgKind::stock_read:
    if (!fenced(row, *m, MsgKind::stock_read_reply)) answer(*m, MsgKind::stock_read_reply, true, row.stock);
    break;
  case MsgKind::stock_write:
    if (fenced(row, *m, MsgKind::stock_write_reply)) break;
    if (spec_.buy == scenario::Inventory::Buy::row_lock && row.holder != m->token) {
      answer(*m, MsgKind::stock_write_reply, false, std::nullopt, "lock lost: it was broken after the lock timeout");
      break;
    }
    row.stock = *m->value;
    trace(m->key, row, m->token != 0 && spec_.buy == scenario::Inventory::Buy::lease_lock
                           ? "stock written with token " + std::to_string(m->token)
                           : "stock written");
    answer(*m, MsgKind::stock_write_reply, true, row.stock);
    if (spec_.buy == scenario::Inventory::Buy::row_lock) {
      row.holder = 0; // the commit releases the row lock
      grant_next(m->key, row);
    }
    break;
  case MsgKind::stock_lock:
    if (row.holder == 0) {
      row.holder = m->token;
      row.locked_s = sg4::Engine::get_clock();
      answer(*m, MsgKind::stock_lock_reply, true, row.stock);
    } else {
      row.waiters.push_back(std::move(m));
    }
    break;
  case MsgKind::stock_unlock:
    if (row.holder == m->token) {
      row.holder = 0;
      grant_next(m->key, row);
    } else {
      auto& w = row.waiters;
      w.erase(std::remove_if(w.begin(), w.end(), [&](const auto& x) { return x->token == m->token; }), w.end());
    }
    break;
  case MsgKind::stock_decrement:
    if (row.stock > 0) {
      --row.stock;
      trace(m->key, row, "stock decremented");
      answer(*m, MsgKind::stock_decrement_reply, true, row.stock);
    } else {
      answer(*m, MsgKind::stock_decrement_reply, false, std::nullopt, "sold out");
    }
    break;
  default: break;
  }
}

void InventoryModel::grant_next(const std::string& item, Row& row) {
  (void)item;
  while (!row.waiters.empty() && row.holder == 0) {
    std::unique_ptr<Message> next = std::move(row.waiters.front());
    row.waiters.pop_front();
    if (gave_up(*next)) continue;
    row.holder = next->token;
    row.locked_s = sg4::Engine::get_clock();
    answer(*next, MsgKind::stock_lock_reply, true, row.stock);
  }
}

void InventoryModel::release_expired() {
  double now = sg4::Engine::get_clock();
  for (auto& [item, row] : rows_) {
    if (row.holder == 0 || now < row.locked_s + spec_.lock_timeout_s) continue;
    row.holder = 0;
    trace(item, row, "row lock broken: held longer than the lock timeout");
    grant_next(item, row);
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
    : spec_(spec), context_(context), node_(context.network.node_index(spec.node)) {}

void LockServiceModel::start() {
  auto launch = [this] { sg4::Actor::create(spec_.name, context_.network.host(node_), [this] { serve(); })->daemonize(); };
  context_.hooks.on_crash[node_].push_back([this] { locks_.clear(); });
  context_.hooks.on_restart[node_].push_back(launch);
  launch();
}

// Leases are measured with the lock service's clock: when one runs out, the
// next waiter gets the lock, whatever the old holder believes.
void LockServiceModel::serve() {
  auto* inbox = sg4::Mailbox::by_name(engine::Network::address(spec_.node, spec_.name));
  inbox->set_receiver(sg4::Actor::self());
  while (true) {
    double wake_s = -1;
    for (const auto& [name, lock] : locks_)
      if (lock.token != 0 && (wake_s < 0 || lock.expires_s < wake_s)) wake_s = lock.expires_s;
    double timeout_s = wake_s < 0 ? -1.0 : std::max(0.0, wake_s - sg4::Engine::get_clock()) + 1e-9;
    std::unique_ptr<Message> m = context_.network.receive(inbox, timeout_s);
    const double now = sg4::Engine::get_clock();
    for (auto& [name, lock] : locks_)
      if (lock.token != 0 && now >= lock.expires_s) {
        trace(name, lock.token, "lease with token " + std::to_string(lock.token) + " expired");
        lock.token = 0;
        grant_next(name, lock);
      }
    if (!m) continue;
    compute(spec_.service_time_s);
    Lock& lock = locks_[m->key];
    if (m->kind == MsgKind::lock_acquire) {
      lock.waiters.push_back(std::move(m));
      grant_next(lock.waiters.back()->key, lock);
    } else if (m->kind == MsgKind::lock_release && lock.token == m->token) {
      trace(m->key, lock.token, "lease with token " + std::to_string(lock.token) + " released");
      lock.token = 0;
      grant_next(m->key, lock);
    } else if (m->kind == MsgKind::lock_release) {
      trace(m->key, m->token, "release of token " + std::to_string(m->token) + " ignored: that lease is over");
    }
  }
}

void LockServiceModel::grant_next(const std::string& name, Lock& lock) {
  while (lock.token == 0 && !lock.waiters.empty()) {
    std::unique_ptr<Message> next = std::move(lock.waiters.front());
    lock.waiters.pop_front();
    if (gave_up(*next)) continue;
    lock.token = next_token_++;
    lock.expires_s = sg4::Engine::get_clock() + spec_.lease_s;
    send_answer(context_, node_, *next, MsgKind::lock_acquire_reply, true, std::nullopt, lock.token, "", 128);
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
