// What shops, the stock table and the lock service say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace faultlab::model {

// Shop -> stock table. Every request names a row.
struct StockRequest : engine::Payload {
  std::string item;
};
struct StockRead final : StockRequest {
  std::int64_t token = 0; // a fencing token (0: the reader holds no lease)
};
struct StockWrite final : StockRequest { // set the stock; with row locks, commits and unlocks
  std::int64_t stock = 0;
  std::int64_t token = 0; // the row lock id, or a fencing token
};
struct StockLock final : StockRequest { // SELECT ... FOR UPDATE: answered once the row lock is granted
  std::int64_t lock_id = 0;
  double deadline_s = -1.0; // the shop gives up then (absolute)
};
struct StockUnlock final : StockRequest { // give up a row lock, granted or still waited for (no answer)
  std::int64_t lock_id = 0;
};
struct StockDecrement final : StockRequest {}; // UPDATE ... SET stock = stock - 1 WHERE stock > 0
// Stock table -> shop, for every request that is answered.
struct StockReply final : engine::Payload {
  bool ok = true;
  std::optional<std::int64_t> stock;
  std::string error; // why not ok: "sold out", "fenced: ...", "lock lost: ..."
};

// Shop -> lock service.
struct LockAcquire final : engine::Payload { // answered once the lease is granted
  std::string name;
  double deadline_s = -1.0; // the shop gives up then (absolute)
};
struct LockGranted final : engine::Payload {
  std::int64_t token = 0; // the lease's fencing token
};
struct LockRelease final : engine::Payload { // (no answer)
  std::string name;
  std::int64_t token = 0;
};

namespace stock_kinds {
inline const engine::MessageKind read = engine::message_kind<StockRead>("stock_read");
inline const engine::MessageKind read_reply = engine::message_kind<StockReply>("stock_read_reply");
inline const engine::MessageKind write = engine::message_kind<StockWrite>("stock_write");
inline const engine::MessageKind write_reply = engine::message_kind<StockReply>("stock_write_reply");
inline const engine::MessageKind lock = engine::message_kind<StockLock>("stock_lock");
inline const engine::MessageKind lock_reply = engine::message_kind<StockReply>("stock_lock_reply");
inline const engine::MessageKind unlock = engine::message_kind<StockUnlock>("stock_unlock");
inline const engine::MessageKind decrement = engine::message_kind<StockDecrement>("stock_decrement");
inline const engine::MessageKind decrement_reply = engine::message_kind<StockReply>("stock_decrement_reply");
} // namespace stock_kinds

namespace lock_kinds {
inline const engine::MessageKind acquire = engine::message_kind<LockAcquire>("lock_acquire");
inline const engine::MessageKind acquire_reply = engine::message_kind<LockGranted>("lock_acquire_reply");
inline const engine::MessageKind release = engine::message_kind<LockRelease>("lock_release");
} // namespace lock_kinds

} // namespace faultlab::model
