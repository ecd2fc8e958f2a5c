// A stock table, a lock service, and the shops that sell from them.
//
// Buying takes one unit of an item. How the shop does it is the lesson:
//   read_then_write  read the stock, think, write stock - 1. Two buyers who
//                    read the same number both sell, and one decrement is
//                    lost: the shop sells units it does not have.
//   row_lock         SELECT ... FOR UPDATE: the row stays locked from the
//                    read until the write commits; other buyers wait.
//   conditional      one statement, UPDATE ... SET stock = stock - 1 WHERE
//                    stock > 0, that either takes a unit or says sold out.
//   lease_lock       a lease from a lock service around read-then-write. A
//                    shop that freezes (a GC pause) past its lease still
//                    believes it holds the lock (its own clock stopped too)
//                    and writes after someone else has. With `fencing` the
//                    lock service's token travels with every read and write
//                    and the table refuses a token older than one it has seen.
//
// The table is durable (it survives a crash); locks and leases are held in
// memory by whoever grants them.
#pragma once

#include "components/inventory/spec.hpp"
#include "components/lock_service/spec.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/inventory_messages.hpp"
#include "model/server.hpp"

#include <deque>
#include <map>

namespace faultlab::model {

class InventoryModel : public ComponentModel {
public:
  InventoryModel(const scenario::Inventory& spec, Context& context);
  void start() override;
  const scenario::Inventory& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  struct Row {
    std::int64_t stock = 0;
    std::int64_t holder = 0;      // row lock id, 0 if unlocked
    double locked_s = 0;
    std::deque<std::unique_ptr<engine::Envelope>> waiters; // stock_lock requests, in arrival order
    std::int64_t max_token = 0;   // fencing: the newest token seen
  };
  void serve();
  void handle(std::unique_ptr<engine::Envelope> request);
  bool fenced(Row& row, const engine::Envelope& request, std::int64_t token, engine::MessageKind reply_kind);
  void grant_next(Row& row);
  std::int64_t initial_units(const std::string& item) const;
  void release_expired();
  void answer(const engine::Envelope& request, engine::MessageKind kind, bool ok,
              std::optional<std::int64_t> stock, const std::string& error = "");
  void trace(const std::string& item, const Row& row, const std::string& why);

  const scenario::Inventory& spec_;
  Context& context_;
  Server server_;
  std::map<std::string, Row> rows_;
};

class LockServiceModel : public ComponentModel {
public:
  LockServiceModel(const scenario::LockService& spec, Context& context);
  void start() override;
  const scenario::LockService& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  struct Lock {
    std::int64_t token = 0; // the holder's fencing token, 0 if free
    double expires_s = 0;
    std::deque<std::unique_ptr<engine::Envelope>> waiters; // lock_acquire requests
  };
  void serve();
  void handle(std::unique_ptr<engine::Envelope> request);
  void grant_next(const std::string& name, Lock& lock);
  void trace(const std::string& name, std::int64_t token, const std::string& why);

  const scenario::LockService& spec_;
  Context& context_;
  Server server_;
  std::map<std::string, Lock> locks_; // memory only
  std::int64_t next_token_ = 1;       // fencing tokens only grow
  std::int64_t last_granted_token_ = 0;
};

class BuyerClient : public ClientDriver {
public:
  BuyerClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const InventoryModel& inventory,
              const LockServiceModel* locks);
  std::string key_for(std::size_t index, const ClientRequest& request) override;
  void perform(const ClientRequest& request) override;
  std::vector<std::string> final_keys() const override;

private:
  struct Step {
    bool answered = false;
    bool ok = false;
    std::optional<std::int64_t> value;
    std::int64_t token = 0;
    std::string error;
  };
  // One request to the stock table or the lock service, answered or not
  // (a kind with no answer is only sent).
  Step to_table(engine::MessageKind kind, std::unique_ptr<StockRequest> request, std::int64_t op,
                double deadline_s);
  Step to_locks(engine::MessageKind kind, std::unique_ptr<engine::Payload> request, std::int64_t op,
                double deadline_s);
  void final_read(const ClientRequest& request);

  const InventoryModel& inventory_;
  const LockServiceModel* locks_;
  util::Rng think_rng_;
  std::int64_t next_lock_id_ = 1;
};

} // namespace faultlab::model
