#include "model/registry.hpp"

namespace faultlab::model {

ModelTypes& ModelTypes::instance() {
  static ModelTypes types;
  return types;
}

void ModelTypes::add(const std::string& type, ModelType model) {
  if (find(type) != nullptr) return; // registering twice is harmless
  types_.emplace_back(type, std::move(model));
}

const ModelType* ModelTypes::find(const std::string& type) const {
  for (const auto& [name, model] : types_)
    if (name == type) return &model;
  return nullptr;
}

} // namespace faultlab::model
