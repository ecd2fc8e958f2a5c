#include "engine/message.hpp"

#include <vector>

namespace faultlab::engine {

namespace {
struct KindInfo {
  std::string name;
  std::type_index payload_type;
  PayloadCopier copier;
};
// Every kind registered in this process, by id (index + 1). Only ever
// appended to; ids never reach the trace, names do.
std::vector<KindInfo>& kinds() {
  static std::vector<KindInfo> registry;
  return registry;
}
constexpr std::size_t kMaxKinds = 1000; // far more than any set of models needs
} // namespace

MessageKind intern_message_kind(std::string_view name, std::type_index payload_type, PayloadCopier copier) {
  auto& registry = kinds();
  for (std::size_t i = 0; i < registry.size(); ++i)
    if (registry[i].name == name && registry[i].payload_type == payload_type)
      return MessageKind(static_cast<std::uint16_t>(i + 1));
  assert(registry.size() < kMaxKinds && "message kinds are registered once each, not per message");
  registry.push_back(KindInfo{std::string(name), payload_type, copier});
  return MessageKind(static_cast<std::uint16_t>(registry.size()));
}

const std::string& MessageKind::name() const {
  static const std::string none = "?";
  return id_ == 0 ? none : kinds()[id_ - 1u].name;
}

std::type_index MessageKind::payload_type() const {
  return id_ == 0 ? std::type_index(typeid(void)) : kinds()[id_ - 1u].payload_type;
}

std::unique_ptr<Envelope> copy_of(const Envelope& message) {
  if (message.kind == MessageKind() || message.payload == nullptr) return nullptr;
  PayloadCopier copier = kinds()[message.kind.id_ - 1u].copier;
  if (copier == nullptr) return nullptr;
  auto out = std::make_unique<Envelope>();
  out->kind = message.kind;
  out->size_bytes = message.size_bytes;
  out->op = message.op;
  out->exchange = message.exchange;
  out->reply_to = message.reply_to;
  out->payload = copier(*message.payload);
  return out;
}

} // namespace faultlab::engine
