// A component of a scenario (a replica group, a cache, a service...), as the
// scenario layer sees it: typed settings read from JSON, and what the rest of
// faultlab needs to know about it without knowing its type.
//
// Each component type derives its own spec from ComponentSpec, in its own
// folder under sim/components/, and registers a reader for it under its type
// name (ComponentTypes). Nothing outside that folder switches on the name:
// validation, the trace header, `analyze` and the checkers ask the spec.
#pragma once

#include "check/checker.hpp"
#include "topo/design.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Scenario;
struct Topology;
struct Origin;
struct Client;
class ObjectReader;

// The role one node plays in a component: "primary", "replica", "cache",
// "instance", a shard's name...
struct NodeRole {
  std::string node;
  std::string role;
};

// How client groups may use a component type; the messages are shown to the
// user as they are, after the JSON path of the offending field.
struct ClientRules {
  std::string not_a_target; // non-empty: clients may not target it, and why
  std::string no_key_count; // non-empty: keys.count is refused, and why
  std::string no_key_prefix; // non-empty: keys.prefix is refused, and why
  std::string default_key_prefix = "k";
  bool keys_are_users = false; // a request's key is its user: one key per session
  // Clients may write keys of their own and reload what they wrote (a
  // key-value store, or something in front of one).
  bool key_value = false;
};

struct ComponentSpec {
  std::string name;
  std::string type; // the registered type name

  virtual ~ComponentSpec() = default;

  // The nodes it runs on, each with its role, in a fixed order.
  virtual std::vector<NodeRole> node_roles() const = 0;
  // The operations a client group may send it, in a fixed order.
  virtual std::vector<std::string> client_ops() const = 0;
  // The operations an endpoint of a service may call on it; empty: a
  // service cannot call it.
  virtual std::vector<std::string> call_ops() const { return {}; }
  virtual ClientRules client_rules() const { return {}; }
  // A client group targeting it: the number of distinct keys it uses when
  // the type decides (an inventory's items), given what the client asked.
  virtual std::optional<int> key_count_for(const Client&) const { return std::nullopt; }

  // Rules that involve other components (a cache's database exists and is
  // a replica group...), once every component is read. Fails through origin.
  virtual void check_references(const Scenario&, const Origin&) const {}

  // Its part of the design graph for `analyze`: its component(s), and what
  // an endpoint a client calls on it (`op`) depends on.
  virtual void add_to_design(topo::Design& design, const Scenario& scenario) const = 0;
  virtual topo::Endpoint endpoint_for(const std::string& op, const Scenario& scenario) const {
    (void)scenario;
    return topo::Endpoint{name + ":" + op, name, {}};
  }
  // A line `analyze` adds about what "down" means for this type ("" for none).
  virtual std::string analyze_note() const { return ""; }
  // What `analyze` adds about the data it holds (a database's cascades
  // through foreign keys, where copies of personal data go): a text section
  // and Graphviz digraphs ("" for none).
  virtual std::string analyze_data_text() const { return ""; }
  virtual std::string analyze_data_dot() const { return ""; }

  // Its own actors make the run (an erasure job on a schedule), so a
  // scenario with it needs no client group.
  virtual bool runs_by_itself() const { return false; }

  // What the checkers need to know about it (cache nodes, shards, stock).
  virtual void add_checker_facts(check::CheckOptions& options) const { (void)options; }
  // Summary metrics its model adds (validated names for `expect`, sweep columns).
  virtual std::vector<std::string> metric_names() const { return {}; }
  // Its nodes split one load between them (shards): the report lists each
  // node's share under this label ("" for none).
  virtual std::string load_split_label() const { return ""; }
  // A line of the run's report about it, from the summary's metrics ("" for
  // none; one per type, so a type with several components sums them).
  virtual std::string report_line(const std::map<std::string, double>& metrics) const {
    (void)metrics;
    return "";
  }
};

using ComponentReader =
    std::function<std::shared_ptr<ComponentSpec>(const std::string& name, ObjectReader& reader, const Topology&)>;

// Every component type, in registration order: the order in which their
// models are built and started (a type whose models hold handles to others
// registers after them), and the order of names in messages.
class ComponentTypes {
public:
  static ComponentTypes& instance();
  // `metrics`: every summary metric a component of this type may add (its
  // specs' metric_names() list the ones a given component adds), so the
  // schema can offer them all for `expect`.
  void add(const std::string& type, ComponentReader reader, std::vector<std::string> metrics = {});
  const ComponentReader* find(const std::string& type) const;
  const std::vector<std::string>& names() const { return names_; }
  // Every type's metrics, in registration order, each once.
  std::vector<std::string> all_metric_names() const;

private:
  std::vector<std::string> names_;
  std::vector<ComponentReader> readers_;
  std::vector<std::vector<std::string>> metrics_;
};

} // namespace faultlab::scenario
