#include "scenario/component.hpp"

#include <algorithm>
#include <cassert>

namespace faultlab::scenario {

ComponentTypes& ComponentTypes::instance() {
  static ComponentTypes types;
  return types;
}

void ComponentTypes::add(const std::string& type, ComponentReader reader, std::vector<std::string> metrics) {
  if (find(type) != nullptr) return; // registering twice is harmless
  names_.push_back(type);
  readers_.push_back(std::move(reader));
  metrics_.push_back(std::move(metrics));
}

std::vector<std::string> ComponentTypes::all_metric_names() const {
  std::vector<std::string> out;
  for (const auto& of_type : metrics_)
    for (const auto& name : of_type)
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  return out;
}

const ComponentReader* ComponentTypes::find(const std::string& type) const {
  auto it = std::find(names_.begin(), names_.end(), type);
  return it == names_.end() ? nullptr : &readers_[static_cast<std::size_t>(it - names_.begin())];
}

} // namespace faultlab::scenario
