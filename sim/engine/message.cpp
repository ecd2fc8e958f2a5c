#include "engine/message.hpp"

#include <vector>

namespace faultlab::engine {

namespace {
struct KindInfo {
  std::string name;
  std::type_index payload_type;
};
// Every kind registered in this process, by id (index + 1). Only ever
// appended to; ids never reach the trace, names do.
std::vector<KindInfo>& kinds() {
  static std::vector<KindInfo> registry;
  return registry;
}
constexpr std::size_t kMaxKinds = 1000; // far more than any set of models needs
} // namespace

MessageKind intern_message_kind(std::string_view name, std::type_index payload_type) {
  auto& registry = kinds();
  for (std::size_t i = 0; i < registry.size(); ++i)
    if (registry[i].name == name && registry[i].payload_type == payload_type)
      return MessageKind(static_cast<std::uint16_t>(i + 1));
  assert(registry.size() < kMaxKinds && "message kinds are registered once each, not per message");
  registry.push_back(KindInfo{std::string(name), payload_type});
  return MessageKind(static_cast<std::uint16_t>(registry.size()));
}

const std::string& MessageKind::name() const {
  static const std::string none = "?";
  return id_ == 0 ? none : kinds()[id_ - 1u].name;
}

std::type_index MessageKind::payload_type() const {
  return id_ == 0 ? std::type_index(typeid(void)) : kinds()[id_ - 1u].payload_type;
}

} // namespace faultlab::engine
