// What the application and its cache say to each other.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace faultlab::model {

// App -> cache: a hit, a miss (maybe with a lease to fill it), or "wait".
struct CacheGet final : engine::Payload {
  std::string key;
};
struct CacheGetReply final : engine::Payload {
  bool hit = false;
  std::optional<std::int64_t> value; // a hit; nullopt: the database has no such key
  std::int64_t version = 0;          // a hit: the database position it was read at
  std::int64_t lease = 0;            // a miss with lease fills: the lease to fill with (0: none)
  bool wait = false;                 // someone else is refilling this key
};
// App -> cache: fill after a miss (no answer).
struct CacheSet final : engine::Payload {
  std::string key;
  std::optional<std::int64_t> value;
  std::int64_t version = 0; // the database position the value was read at
  std::int64_t lease = 0;
};
// App -> cache after a database write: delete (no value) or update.
struct CacheInvalidate final : engine::Payload {
  std::string key;
  std::optional<std::int64_t> value;
  std::int64_t version = 0; // the write's database position
};
struct CacheInvalidateReply final : engine::Payload {};

namespace cache_kinds {
inline const engine::MessageKind get = engine::message_kind<CacheGet>("cache_get");
inline const engine::MessageKind get_reply = engine::message_kind<CacheGetReply>("cache_get_reply");
inline const engine::MessageKind set = engine::message_kind<CacheSet>("cache_set");
inline const engine::MessageKind invalidate = engine::message_kind<CacheInvalidate>("cache_invalidate");
inline const engine::MessageKind invalidate_reply =
    engine::message_kind<CacheInvalidateReply>("cache_invalidate_reply");
} // namespace cache_kinds

} // namespace faultlab::model
