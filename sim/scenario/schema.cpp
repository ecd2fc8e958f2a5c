// Generating the scenario schema by running the readers (see schema.hpp).
#include "scenario/schema.hpp"

#include "scenario/component.hpp"
#include "scenario/loader.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace faultlab::scenario {

const char* const kProbeName = "probe";

namespace {

// Plenty: the whole catalog of readers takes a few hundred runs. Past it the
// readers loop on something, which is a bug to hear about.
constexpr std::size_t kMaxRuns = 20000;

} // namespace

std::string Probe::decide(const std::string& id, const std::vector<std::string>& options) {
  std::size_t index = trace_.size();
  std::string taken = index < forced_.size() ? forced_[index] : options.front();
  // A reader may ask the same thing twice (has("steps") in two places):
  // each asking is a decision point of its own.
  std::size_t asked = 0;
  for (const auto& decision : trace_)
    if (decision.id.compare(0, id.size(), id) == 0 && decision.id.size() > id.size() && decision.id[id.size()] == '@')
      ++asked;
  trace_.push_back(Decision{id + "@" + std::to_string(asked), options, taken});
  return taken;
}

Probe::Branch& Probe::branch_of(Object& object, const std::string& name) {
  if (!object.branches.count(name)) object.branch_order.push_back(name);
  return object.branches[name];
}

void Probe::field(const std::string& pointer, const std::string& key, Json schema, bool required) {
  Instance& instance = instances_[pointer];
  Branch& branch = branch_of(objects_[pointer], instance.branch);
  auto it = branch.fields.find(key);
  if (it == branch.fields.end()) {
    branch.order.push_back(key);
    branch.fields[key].schema = std::move(schema);
  } else if (it->second.schema.empty()) {
    // find() first, then a typed accessor: the typed one says more.
    it->second.schema = std::move(schema);
  } else if (it->second.schema.contains("properties") && schema.contains("properties")) {
    // Names from a registry that another run knew more of (metrics).
    for (auto p = schema["properties"].begin(); p != schema["properties"].end(); ++p)
      if (!it->second.schema["properties"].contains(p.key())) it->second.schema["properties"][p.key()] = p.value();
  }
  if (required) instance.required.emplace_back(instance.branch, key);
}

void Probe::branch(const std::string& raw_pointer, const std::string& key, const std::string& value,
                   const std::string& fallback) {
  const std::string pointer = annotate(raw_pointer);
  Object& object = objects_[pointer];
  object.discriminator = key;
  object.fallback = fallback;
  branch_of(object, value);
  instances_[pointer].branch = value;
  kinds_[raw_pointer] = "{" + key + "=" + value + "}";
}

void Probe::describe(const std::string& pointer, const std::string& key, const std::string& text) {
  objects_[pointer].descriptions[key] = text;
}

void Probe::finished(const std::string& pointer) { instances_[pointer].finished = true; }

const Json* Probe::keep(const Json& value) {
  kept_.push_back(std::make_unique<Json>(value));
  return kept_.back().get();
}

std::string Probe::annotate(const std::string& pointer) const {
  std::string out;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    std::size_t next = pointer.find('/', pos + 1);
    std::string prefix = pointer.substr(0, next);
    out += pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (next == std::string::npos) break; // the object's own option is its own business
    auto it = kinds_.find(prefix);
    if (it != kinds_.end()) out += it->second;
    pos = next;
  }
  return out;
}

void Probe::start_run(std::vector<std::string> forced) {
  forced_ = std::move(forced);
  trace_.clear();
  kinds_.clear();
  instances_.clear();
  kept_.clear();
}

void Probe::end_run() {
  for (const auto& [pointer, instance] : instances_) {
    Object& object = objects_[pointer];
    for (const auto& name : {std::string(), instance.branch}) {
      if (!object.branches.count(name)) continue;
      Branch& branch = object.branches[name];
      std::set<std::string> required;
      for (const auto& [where, key] : instance.required)
        if (where == name) required.insert(key);
      if (!instance.finished) {
        branch.required_partial.insert(required.begin(), required.end());
      } else if (!branch.completed) {
        branch.completed = true;
        branch.required = required;
      } else {
        std::set<std::string> both;
        std::set_intersection(branch.required.begin(), branch.required.end(), required.begin(), required.end(),
                              std::inserter(both, both.begin()));
        branch.required = both;
      }
      if (name.empty() && instance.branch.empty()) break;
    }
  }
}

Json Probe::resolve(const Json& schema) const {
  if (schema.is_object()) {
    auto it = schema.find("$probe");
    if (it != schema.end() && it->is_string()) return object_schema(it->get<std::string>());
    Json out = Json::object();
    for (auto child = schema.begin(); child != schema.end(); ++child) out[child.key()] = resolve(child.value());
    return out;
  }
  if (schema.is_array()) {
    Json out = Json::array();
    for (const auto& child : schema) out.push_back(resolve(child));
    return out;
  }
  return schema;
}

Json Probe::object_schema(const std::string& pointer) const {
  auto found = objects_.find(pointer);
  if (found == objects_.end()) return Json{{"type", "object"}}; // read by hand, never reached
  const Object& object = found->second;
  auto properties_of = [&](const Branch& branch, Json& properties, Json& required) {
    for (const auto& key : branch.order) {
      Json schema = resolve(branch.fields.at(key).schema);
      auto text = object.descriptions.find(key);
      if (text != object.descriptions.end()) schema["description"] = text->second;
      properties[key] = std::move(schema);
    }
    const std::set<std::string>& needed = branch.completed ? branch.required : branch.required_partial;
    for (const auto& key : branch.order)
      if (needed.count(key)) required.push_back(key);
  };
  Json out{{"type", "object"}};
  Json properties = Json::object(), required = Json::array();
  if (object.branches.count("")) properties_of(object.branches.at(""), properties, required);
  out["properties"] = properties;
  if (!required.empty()) out["required"] = required;
  if (object.discriminator.empty()) {
    out["additionalProperties"] = false;
    return out;
  }
  // One if/then per option; unevaluatedProperties sees the fields of the
  // option that applies, so another option's field is refused.
  Json all_of = Json::array();
  for (const auto& name : object.branch_order) {
    if (name.empty()) continue;
    Json condition{{"properties", {{object.discriminator, {{"const", name}}}}}};
    if (name != object.fallback) condition["required"] = Json::array({object.discriminator});
    Json then_properties = Json::object(), then_required = Json::array();
    properties_of(object.branches.at(name), then_properties, then_required);
    Json then{{"properties", then_properties}};
    if (!then_required.empty()) then["required"] = then_required;
    all_of.push_back(Json{{"if", condition}, {"then", then}});
  }
  out["allOf"] = all_of;
  out["unevaluatedProperties"] = false;
  return out;
}

namespace {

Json nullable(const Json& schema) { return Json{{"anyOf", Json::array({schema, Json{{"type", "null"}}})}}; }

// What a variant may say: a merge patch (RFC 7386) of the base. Every field
// is optional, null removes one, and an object the base discriminates by
// its "type" may hold any option's fields (the patch need not repeat the
// type, so it cannot be told which one applies).
Json patch_schema(const Json& schema) {
  if (!schema.is_object() || schema.value("type", "") != "object") return nullable(schema);
  Json out{{"type", "object"}};
  if (schema.contains("properties")) {
    Json properties = Json::object();
    auto add = [&](const Json& from) {
      for (auto it = from.begin(); it != from.end(); ++it)
        if (!properties.contains(it.key())) properties[it.key()] = patch_schema(it.value());
    };
    add(schema["properties"]);
    if (schema.contains("allOf"))
      for (const auto& branch : schema["allOf"]) add(branch["then"]["properties"]);
    out["properties"] = properties;
  }
  const Json& extra = schema.contains("additionalProperties") ? schema["additionalProperties"] : Json(false);
  out["additionalProperties"] = extra.is_boolean() ? extra : patch_schema(extra);
  return nullable(out);
}

Json unit_string(util::Quantity quantity, const char* description) {
  return Json{{"type", "string"}, {"pattern", util::unit_pattern(quantity)}, {"description", description}};
}

} // namespace

Json scenario_schema() {
  if (ComponentTypes::instance().names().empty())
    throw std::logic_error("no component types are registered: call components::register_builtin() first");
  Probe probe;
  std::deque<std::vector<std::string>> queue{{}};
  std::set<std::pair<std::string, std::string>> seen; // (decision, option) taken or queued
  std::size_t runs = 0;
  while (!queue.empty()) {
    if (++runs > kMaxRuns) throw std::logic_error("the scenario readers did not settle while probing the schema");
    std::vector<std::string> forced = std::move(queue.front());
    queue.pop_front();
    std::size_t replayed = forced.size();
    probe.start_run(std::move(forced));
    Origin origin;
    origin.file = "(schema)";
    origin.probe = &probe;
    try {
      validate(Json::object(), origin);
    } catch (const util::InputError&) {
      // A combination the reader refuses: what it asked for until then counts.
    }
    probe.end_run();
    const auto& trace = probe.trace();
    std::vector<std::string> taken;
    for (const auto& decision : trace) {
      seen.emplace(decision.id, decision.taken);
      taken.push_back(decision.taken);
    }
    for (std::size_t i = replayed; i < trace.size(); ++i)
      for (const auto& option : trace[i].options)
        if (seen.emplace(trace[i].id, option).second) {
          std::vector<std::string> next(taken.begin(), taken.begin() + static_cast<std::ptrdiff_t>(i));
          next.push_back(option);
          queue.push_back(std::move(next));
        }
  }

  Json schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://faultlab.invalid/scenario.schema.json"},
              {"title", "faultlab scenario"},
              {"description",
               "A faultlab scenario file. Generated by `faultlab schema` from the readers that load scenarios; "
               "do not edit by hand."}};
  Json root = probe.object_schema("");
  Json base = root; // what a variant patches: the document without its variants
  root["properties"]["variants"] = Json{
      {"type", "object"},
      {"description", "Variants by name, each an RFC 7386 merge patch over the rest of the file (null removes a "
                      "field). `faultlab run` uses the first unless --variant says which (base: none)."},
      {"additionalProperties", patch_schema(base)["anyOf"][0]}};
  for (auto it = root.begin(); it != root.end(); ++it) schema[it.key()] = it.value();
  schema["$defs"] = Json{
      {"duration", unit_string(util::Quantity::duration, "A duration with a unit: \"250ms\", \"3s\", \"2min\"")},
      {"size", unit_string(util::Quantity::size, "A size with a unit: \"512B\", \"4KiB\", \"1MB\"")},
      {"bandwidth", unit_string(util::Quantity::bandwidth, "A bandwidth with a unit: \"1Gbps\", \"125MBps\"")},
      {"speed", unit_string(util::Quantity::speed, "A CPU speed with a unit: \"1Gf\", \"500Mf\"")}};
  return schema;
}

} // namespace faultlab::scenario
