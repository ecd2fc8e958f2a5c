// The JSON Schema (2020-12) of scenario files, generated from the readers.
//
// `scenario_schema()` runs validate() -- and through it every registered
// component type's reader -- over no document, with a Probe in the Origin.
// In that mode an ObjectReader reads nothing: each accessor records the
// field it was asked for (name, type, options, range, default, required or
// not, a description) and hands back a plausible value, and every place the
// reader could go one of several ways (a field present or absent, each
// option of a choice, each type of a fault or component) is a decision.
// The probe runs the readers again and again until every option of every
// decision it met has been taken once, and merges what the runs recorded.
// So a field exists in the schema because a reader asks for it, and a new
// component type appears by being registered.
#pragma once

#include "scenario/json_reader.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace faultlab::scenario {

// The name members get while probing; a valid name, and the name of the one
// node, component and client the probed scenario has, so references hold.
extern const char* const kProbeName;

class Probe {
public:
  // Which way to go at a decision point: options[0] unless this run replays
  // another choice. `id` names the decision point.
  std::string decide(const std::string& id, const std::vector<std::string>& options);

  // An accessor asked for `key` of the object at `pointer`.
  void field(const std::string& pointer, const std::string& key, Json schema, bool required);
  // A kind() choice: fields read after it belong to this option. Unlike
  // the others, this one takes the pointer as it is, not annotated.
  void branch(const std::string& raw_pointer, const std::string& key, const std::string& value,
              const std::string& fallback);
  void describe(const std::string& pointer, const std::string& key, const std::string& text);
  // The object's reader reached finish(): what it required is what it needs.
  void finished(const std::string& pointer);
  // A value the hand-written code may read, alive until the run ends.
  const Json* keep(const Json& value);
  // The pointer with each enclosing object's kind() option, so two
  // component types' "failover" objects stay apart.
  std::string annotate(const std::string& pointer) const;

  // Runs: start with a replayed prefix of decisions, end to merge.
  void start_run(std::vector<std::string> forced);
  void end_run();
  struct Decision {
    std::string id;
    std::vector<std::string> options;
    std::string taken;
  };
  const std::vector<Decision>& trace() const { return trace_; }

  // The assembled schema of the object at `pointer` (annotated).
  Json object_schema(const std::string& pointer) const;

private:
  struct Field {
    Json schema;
    std::string description;
  };
  struct Branch {
    std::vector<std::string> order;
    std::map<std::string, Field> fields;
    bool completed = false;
    std::set<std::string> required;         // required in every completed read
    std::set<std::string> required_partial; // required where a read did not complete
  };
  struct Object {
    std::string discriminator, fallback;
    std::vector<std::string> branch_order; // "" = fields every option has
    std::map<std::string, Branch> branches;
    std::map<std::string, std::string> descriptions;
  };
  struct Instance { // one object's read in one run
    std::string branch;
    std::vector<std::pair<std::string, std::string>> required; // (branch, key)
    bool finished = false;
  };
  Branch& branch_of(Object& object, const std::string& name);
  Json resolve(const Json& schema) const;

  std::map<std::string, Object> objects_;
  std::map<std::string, std::string> kinds_; // this run: pointer -> "{key=value}"
  std::map<std::string, Instance> instances_;
  std::vector<std::string> forced_;
  std::vector<Decision> trace_;
  std::vector<std::unique_ptr<Json>> kept_;
};

// The whole schema, as `faultlab schema` prints it. Component types must be
// registered first (components::register_builtin()).
Json scenario_schema();

} // namespace faultlab::scenario
