// Pieces of validation shared by validate.cpp (the scenario as a whole) and
// the component types' readers (sim/components/*/spec.cpp).
#pragma once

#include "scenario/config.hpp"
#include "scenario/json_reader.hpp"

#include <string>
#include <vector>

namespace faultlab::scenario::detail {

std::string join(const std::vector<std::string>& names);
std::vector<std::string> node_names(const Topology& topology);
void require_node(const Origin& origin, const Topology& topology, const std::string& name,
                  const std::string& pointer);
// Names become mailbox names ("node/component"), so they stay simple.
void check_name(const Origin& origin, const std::string& name, const std::string& pointer);
// A plain duration (fixed) or {"distribution": "uniform"|"exponential", ...}.
Distribution read_distribution(ObjectReader& parent, const std::string& key);
std::int64_t read_message_size(ObjectReader& r, std::int64_t fallback);

// For `faultlab schema`: a field that holds a duration or an object read
// below it with an ObjectReader (a backoff: "100ms" or {"base", "max"}).
const Shape& duration_or_object_shape();

// A required node name, checked against the topology.
std::string read_node(ObjectReader& r, const Topology& topology, const std::string& key = "node");
// A list of distinct node names (at least one unless allow_empty).
std::vector<std::string> read_node_list(ObjectReader& r, const Topology& topology, const std::string& key,
                                        bool allow_empty);
// An optional size ("8KiB", "4GiB"; at least one byte) or bandwidth
// ("500MBps"; above zero): `fallback` when the field is absent.
double read_size(ObjectReader& r, const std::string& key, double fallback);
double read_bandwidth(ObjectReader& r, const std::string& key, double fallback);
// An optional duration that must be above zero; `what` names it in the error.
double positive_duration(ObjectReader& r, const std::string& key, double fallback, const char* what);

// A scenario's checks and its expectations (read_checks.cpp).
std::vector<std::string> checker_names();
Check read_check(const std::string& name, ObjectReader& r, const Scenario& s);
void read_expect(ObjectReader e, Scenario& s);

} // namespace faultlab::scenario::detail
