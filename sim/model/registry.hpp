// The model side of the component types: how a component of a scenario is
// built as SimGrid actors, and how a client group drives it.
//
// Each type registers here once (sim/components/<type>/register.cpp), next
// to its scenario reader. simulate() builds and starts the models in the
// order the types registered, each type's components in file order, so a
// run is the same whatever else is registered.
#pragma once

#include "model/components.hpp"
#include "model/driver.hpp"
#include "scenario/component.hpp"

#include <cassert>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::model {

struct ModelType {
  // Builds the model of one component (the spec is of this type).
  std::function<std::unique_ptr<ComponentModel>(const scenario::ComponentSpec&, Components&, Context&)> make;
  // The driver of a client group that targets a component of this type;
  // empty when clients cannot target it.
  std::function<std::unique_ptr<ClientDriver>(const scenario::Client&, const scenario::ComponentSpec& target,
                                               Components&, Context&, int node, util::Rng&)>
      make_driver;
  // Summary metrics from what the drivers measured, when a component of
  // this type is in the run (its spec's metric_names(), in that order).
  std::function<void(const ModelStats&, std::vector<std::pair<std::string, double>>&)> metrics;
};

class ModelTypes {
public:
  static ModelTypes& instance();
  void add(const std::string& type, ModelType model);
  const ModelType* find(const std::string& type) const;

private:
  std::vector<std::pair<std::string, ModelType>> types_; // registration order
};

} // namespace faultlab::model
