// One message on the simulated network: an envelope that the network layer
// reads (addressing, size, kind) around a payload that only the model that
// defines it understands. The engine knows no protocol: each model declares
// its payload types (a `*_messages.hpp` beside it) and registers its kinds by
// name, and the trace shows that name.
//
// Ownership: a message is always owned by exactly one party: the sender
// until send(), then the Network (while it is in flight), then the receiver
// as a std::unique_ptr. Messages that are never received (dropped, or left in
// a mailbox when the simulation ends) are freed by the Network. The envelope
// owns its payload, so both go together on every path.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <typeinfo>

namespace faultlab::engine {

// What a model puts in an envelope. Concrete payloads derive from it.
struct Payload {
  virtual ~Payload() = default;
};

struct Envelope;

// A kind of message: a name (as the trace shows it) and the one payload type
// it carries. Two models may use the same name with different payloads (a
// shard's "read" is not a replica group's "read"); they are different kinds.
class MessageKind {
public:
  MessageKind() = default;
  const std::string& name() const;
  std::type_index payload_type() const;
  friend bool operator==(MessageKind a, MessageKind b) { return a.id_ == b.id_; }
  friend bool operator!=(MessageKind a, MessageKind b) { return a.id_ != b.id_; }

private:
  friend MessageKind intern_message_kind(std::string_view name, std::type_index payload_type,
                                         std::unique_ptr<Payload> (*copier)(const Payload&));
  friend std::unique_ptr<Envelope> copy_of(const Envelope& message);
  explicit MessageKind(std::uint16_t id) : id_(id) {}
  std::uint16_t id_ = 0; // 0: none (a default-constructed kind)
};

// Copies a payload of the kind's type (for a network that duplicates
// messages); nullptr for payload types that cannot be copied.
using PayloadCopier = std::unique_ptr<Payload> (*)(const Payload&);

// The kind named `name` carrying payloads of type P, the same handle every
// time it is asked for. Models keep theirs in constants (see cache_messages.hpp).
MessageKind intern_message_kind(std::string_view name, std::type_index payload_type,
                                PayloadCopier copier = nullptr);
template <class P> MessageKind message_kind(std::string_view name) {
  static_assert(std::is_base_of_v<Payload, P>, "a message kind carries a Payload");
  PayloadCopier copier = nullptr;
  if constexpr (std::is_copy_constructible_v<P>)
    copier = [](const Payload& p) -> std::unique_ptr<Payload> { return std::make_unique<P>(static_cast<const P&>(p)); };
  return intern_message_kind(name, typeid(P), copier);
}

// A second copy of `message` (kind, size, op, exchange, reply address and a
// copied payload; the network sets the rest), or nullptr when its payload
// type cannot be copied.
std::unique_ptr<Envelope> copy_of(const Envelope& message);

struct Envelope {
  // Set by the network layer.
  std::uint64_t id = 0;
  int from = -1; // node index
  int to = -1;
  std::uint32_t to_incarnation = 0; // messages to an older life of the node are lost
  double sent_s = 0.0;

  // Set by the sender (Rpc sets exchange and reply_to).
  MessageKind kind;
  std::int64_t size_bytes = 0;
  std::int64_t op = -1;       // the client op this belongs to, if any (for the trace)
  std::uint64_t exchange = 0; // one request and its answer (several per op: retries, calls); 0 if unused
  std::string reply_to;       // mailbox name for the answer
  std::unique_ptr<Payload> payload;

  // The payload as the type its kind carries (or a base of it); asserts,
  // in every build, that it is one.
  template <class P> P& payload_as() {
    auto* typed = dynamic_cast<P*>(payload.get());
    assert(typed != nullptr && "the payload has the type its kind carries");
    return *typed;
  }
  template <class P> const P& payload_as() const { return const_cast<Envelope*>(this)->payload_as<P>(); }
};

// A new envelope of `kind` around `payload`.
template <class P>
std::unique_ptr<Envelope> envelope(MessageKind kind, std::unique_ptr<P> payload, std::int64_t size_bytes,
                                   std::int64_t op = -1) {
  assert(payload != nullptr);
  const Payload& carried = *payload;
  assert(kind.payload_type() == std::type_index(typeid(carried)) && "a kind carries one payload type");
  auto out = std::make_unique<Envelope>();
  out->kind = kind;
  out->size_bytes = size_bytes;
  out->op = op;
  out->payload = std::move(payload);
  return out;
}

// The answer to `request`: same client op, same exchange.
template <class P>
std::unique_ptr<Envelope> answer_to(const Envelope& request, MessageKind kind, std::unique_ptr<P> payload,
                                    std::int64_t size_bytes) {
  auto out = envelope(kind, std::move(payload), size_bytes, request.op);
  out->exchange = request.exchange;
  return out;
}

} // namespace faultlab::engine
