// Helpers the component types' readers share: nodes, names, distributions,
// sizes. Like the rest of validation, each value is read where its JSON path
// is known, so every problem names its exact place.
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace faultlab::scenario::detail {

using util::quote;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> node_names(const Topology& topology) {
  std::vector<std::string> names;
  for (const auto& n : topology.nodes) names.push_back(n.name);
  return names;
}

void require_node(const Origin& origin, const Topology& topology, const std::string& name,
                  const std::string& pointer) {
  if (topology.find(name) == nullptr)
    origin.fail("unknown-node", pointer,
                quote(name) + " is not a node of the topology (nodes: " + join(node_names(topology)) + ")");
}

void check_name(const Origin& origin, const std::string& name, const std::string& pointer) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok)
    origin.fail("bad-name", pointer,
                "expected a name of letters, digits, '-' and '_' (at most 64), got " + quote(name));
}

const Shape& duration_or_object_shape() {
  static const Shape shape{{{"anyOf", Json::array({{{"$ref", "#/$defs/duration"}}, {{"$probe", ""}}})}},
                           Json::object()};
  return shape;
}

Distribution read_distribution(ObjectReader& parent, const std::string& key) {
  const Origin& origin = parent.origin();
  Distribution d;
  static const Shape shape{
      {{"anyOf", Json::array({{{"$ref", "#/$defs/duration"}}, {{"$probe", ""}}})},
       {"description", "a fixed duration, or {\"distribution\": \"uniform\", \"min\", \"max\"} or "
                       "{\"distribution\": \"exponential\", \"mean\"}"}},
      Json::object()};
  const Json& value = parent.require(key, shape);
  std::string pointer = parent.child(key);
  if (!value.is_object()) { // a plain duration: a fixed value
    d.a_s = read_duration_s(origin, value, pointer);
    return d;
  }
  ObjectReader r(origin, value, pointer);
  std::string kind = r.kind("distribution", {"fixed", "uniform", "exponential"}, "fixed");
  if (kind == "fixed") {
    d.a_s = r.duration_s("value");
  } else if (kind == "uniform") {
    d.kind = Distribution::Kind::uniform;
    d.a_s = r.duration_s("min");
    d.b_s = r.duration_s("max");
    if (d.b_s < d.a_s) origin.fail("bad-value", r.child("max"), "expected max to be at least min");
  } else {
    d.kind = Distribution::Kind::exponential;
    d.a_s = r.duration_s("mean");
  }
  r.finish();
  return d;
}

std::int64_t read_message_size(ObjectReader& r, std::int64_t fallback) {
  static const Shape shape{{{"$ref", "#/$defs/size"}}, nullptr};
  const Json* size = r.find("message_size", shape);
  if (size == nullptr) return fallback;
  auto bytes = size->is_string() ? util::parse_size_bytes(size->get<std::string>()) : std::nullopt;
  if (!bytes || *bytes < 1 || *bytes > 1e9)
    r.origin().fail("bad-value", r.child("message_size"),
                    "expected a size like \"512B\" or \"4KiB\", got " + describe_json(*size));
  return static_cast<std::int64_t>(*bytes);
}

double read_size(ObjectReader& r, const std::string& key, double fallback) {
  static const Shape shape{{{"$ref", "#/$defs/size"}}, nullptr};
  const Json* value = r.find(key, shape);
  if (value == nullptr) return fallback;
  auto bytes = value->is_string() ? util::parse_size_bytes(value->get<std::string>()) : std::nullopt;
  if (!bytes || *bytes < 1)
    r.origin().fail("bad-value", r.child(key), "expected a size like \"8KiB\" or \"4GiB\", got " + describe_json(*value));
  return *bytes;
}

double read_bandwidth(ObjectReader& r, const std::string& key, double fallback) {
  static const Shape shape{{{"$ref", "#/$defs/bandwidth"}}, nullptr};
  const Json* value = r.find(key, shape);
  if (value == nullptr) return fallback;
  auto bps = value->is_string() ? util::parse_bandwidth_Bps(value->get<std::string>()) : std::nullopt;
  if (!bps || *bps <= 0)
    r.origin().fail("bad-value", r.child(key), "expected a bandwidth like \"500MBps\", got " + describe_json(*value));
  return *bps;
}

std::string read_node(ObjectReader& r, const Topology& topology, const std::string& key) {
  std::string node = r.string(key);
  require_node(r.origin(), topology, node, r.child(key));
  return node;
}

std::vector<std::string> read_node_list(ObjectReader& r, const Topology& topology, const std::string& key,
                                        bool allow_empty) {
  std::vector<std::string> nodes = r.string_list(key);
  if (nodes.empty() && !allow_empty) r.origin().fail("bad-value", r.child(key), "expected at least one node");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string pointer = r.child(key) + "/" + std::to_string(i);
    require_node(r.origin(), topology, nodes[i], pointer);
    if (!seen.insert(nodes[i]).second) r.origin().fail("bad-value", pointer, quote(nodes[i]) + " appears twice");
  }
  return nodes;
}

double positive_duration(ObjectReader& r, const std::string& key, double fallback, const char* what) {
  double value = r.duration_s_or(key, fallback);
  if (value <= 0) r.origin().fail("bad-duration", r.child(key), std::string("expected ") + what + " above zero");
  return value;
}


} // namespace faultlab::scenario::detail
