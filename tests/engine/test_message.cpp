// Envelopes, payloads and message kinds: what the network layer carries
// without knowing any protocol.
#include "engine/message.hpp"

#include <catch2/catch.hpp>

using faultlab::engine::answer_to;
using faultlab::engine::Envelope;
using faultlab::engine::envelope;
using faultlab::engine::message_kind;
using faultlab::engine::MessageKind;
using faultlab::engine::Payload;

namespace {

struct Ping final : Payload {
  int n = 0;
};
struct Request : Payload {
  std::string key;
};
struct Get final : Request {};
struct Counted final : Payload {
  explicit Counted(int& alive) : alive_(alive) { ++alive_; }
  ~Counted() override { --alive_; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int& alive_;
};
struct OtherRead final : Payload {};

} // namespace

TEST_CASE("a kind is registered once and keeps its name") {
  MessageKind ping = message_kind<Ping>("test_ping");
  CHECK(message_kind<Ping>("test_ping") == ping);
  CHECK(ping.name() == "test_ping");
  CHECK(ping.payload_type() == std::type_index(typeid(Ping)));
  CHECK(message_kind<Ping>("test_pong") != ping);
  CHECK(MessageKind().name() == "?");
}

TEST_CASE("two models may use one name with different payloads: two kinds, one trace name") {
  MessageKind mine = message_kind<Get>("test_read");
  MessageKind theirs = message_kind<OtherRead>("test_read");
  CHECK(mine != theirs);
  CHECK(mine.name() == theirs.name());
}

TEST_CASE("an envelope owns its payload and gives typed access to it") {
  auto get = std::make_unique<Get>();
  get->key = "x";
  std::unique_ptr<Envelope> m = envelope(message_kind<Get>("test_get"), std::move(get), 64, 7);
  CHECK(m->kind.name() == "test_get");
  CHECK(m->size_bytes == 64);
  CHECK(m->op == 7);
  CHECK(m->payload_as<Get>().key == "x");
  CHECK(m->payload_as<Request>().key == "x"); // a base of the payload's type
  const Envelope& view = *m;
  CHECK(view.payload_as<Get>().key == "x");
}

TEST_CASE("an answer keeps the request's op and exchange") {
  std::unique_ptr<Envelope> request =
      envelope(message_kind<Ping>("test_ping"), std::make_unique<Ping>(), 64, 3);
  request->exchange = 42;
  auto pong = std::make_unique<Ping>();
  pong->n = 1;
  std::unique_ptr<Envelope> answer =
      answer_to(*request, message_kind<Ping>("test_pong"), std::move(pong), 32);
  CHECK(answer->op == 3);
  CHECK(answer->exchange == 42);
  CHECK(answer->size_bytes == 32);
  CHECK(answer->reply_to.empty());
  CHECK(answer->payload_as<Ping>().n == 1);
}

TEST_CASE("the payload goes with its envelope") {
  int alive = 0;
  {
    std::unique_ptr<Envelope> m =
        envelope(message_kind<Counted>("test_counted"), std::make_unique<Counted>(alive), 1);
    CHECK(alive == 1);
  }
  CHECK(alive == 0);
}
