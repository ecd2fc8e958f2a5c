// Every running component of one simulation, found by name. Drivers and
// services take typed handles from here once, when they are built; at run
// time components only talk through the network.
#pragma once

#include "analysis/saturation.hpp"

#include <cassert>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace faultlab::model {

struct ModelStats;

// A running component. Models talk to each other only through the network;
// what they hold of each other are handles taken when they are built.
class ComponentModel {
public:
  virtual ~ComponentModel() = default;
  // Launches its actors (called once, after every model is built).
  virtual void start() = 0;
  // What it measured for the summary's metrics, once the run is over.
  virtual void report(ModelStats& stats) const { (void)stats; }
  // The resources it holds itself (a service's connection pools), measured
  // over [0, end_s], for the saturation report (`run --saturation`).
  virtual void resources(double end_s, std::vector<analysis::ResourceUse>& out) const {
    (void)end_s;
    (void)out;
  }
};

// Every model of one run, found by component name.
class Components {
public:
  void add(const std::string& name, std::unique_ptr<ComponentModel> model) {
    by_name_[name] = model.get();
    models_.push_back(std::move(model));
  }
  // The model of `name` if it is an M, else nullptr.
  template <class M> M* find_as(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : dynamic_cast<M*>(it->second);
  }
  // The model of `name`, which validation made sure exists and is an M.
  template <class M> M& get(const std::string& name) const {
    M* model = find_as<M>(name);
    assert(model != nullptr && "validation checked the component's name and type");
    return *model;
  }
  // In the order they were built.
  const std::vector<std::unique_ptr<ComponentModel>>& all() const { return models_; }

private:
  std::vector<std::unique_ptr<ComponentModel>> models_;
  std::map<std::string, ComponentModel*> by_name_; // looked up, never iterated
};

} // namespace faultlab::model
