#include "components/personal_data/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "topo/data_graph.hpp"
#include "util/input_error.hpp"

#include <set>
#include <stdexcept>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

namespace {

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> names{"database", "object_storage", "cache",  "warehouse",
                                              "logs",     "third_party",    "backup", "key_store"};
  return names;
}

PersonalData::Store read_store(const std::string& name, ObjectReader r, const Topology& topology) {
  PersonalData::Store s;
  s.name = name;
  check_name(r.origin(), name, r.pointer());
  s.kind = r.choice("kind", kinds(), "database");
  s.node = read_node(r, topology);
  s.copied_from = r.string_or("copied_from", "");
  s.every_s = positive_duration(r, "every", s.every_s, "a copy period");
  if (r.find("retention")) s.retention_s = positive_duration(r, "retention", 86400, "a retention");
  s.erase_s = r.duration_s_or("erase_time", s.erase_s);
  s.erased_by_job = r.boolean_or("erased_by_job", false);
  s.encrypted = r.boolean_or("encrypted", false);
  if (s.erased_by_job && s.kind == "backup" && !r.origin().probe)
    r.origin().fail("bad-value", r.child("erased_by_job"),
                    "a backup cannot be edited to take one person out: it ages out with its retention, or is made "
                    "unreadable by deleting the person's key (encrypted, key_store)");
  r.finish();
  return s;
}

} // namespace

int PersonalData::depth(const Store& store) const {
  int steps = 0;
  for (const Store* at = &store; at != nullptr && !at->copied_from.empty(); at = find_store(at->copied_from)) ++steps;
  return steps;
}

const PersonalData::Store* PersonalData::find_store(const std::string& store) const {
  for (const auto& s : stores)
    if (s.name == store) return &s;
  return nullptr;
}

std::shared_ptr<ComponentSpec> read_personal_data(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<PersonalData>();
  PersonalData& p = *spec;
  p.name = name;
  p.type = "personal_data";
  p.node = read_node(r, topology);
  p.person = r.string_or("person", p.person);
  p.request_at_s = r.duration_s_or("request_at", p.request_at_s);
  p.deadline_s = positive_duration(r, "deadline", p.deadline_s, "a deadline");
  p.retry_s = positive_duration(r, "retry", p.retry_s, "a retry interval");
  p.timeout_s = positive_duration(r, "timeout", p.timeout_s, "a timeout");
  for (auto& [store, sr] : r.members("stores")) p.stores.push_back(read_store(store, sr, topology));
  p.key_store = r.string_or("key_store", "");
  if (r.origin().probe) return spec;
  if (p.stores.empty()) r.origin().fail("missing-field", r.child("stores"), "personal data needs at least one store");
  std::vector<std::string> names;
  for (const auto& s : p.stores) names.push_back(s.name);
  for (const auto& s : p.stores) {
    const std::string at = r.child("stores") + "/" + s.name + "/copied_from";
    if (s.copied_from.empty()) continue;
    if (p.find_store(s.copied_from) == nullptr)
      r.origin().fail("bad-value", at, "no store " + quote(s.copied_from) + " (stores: " + join(names) + ")");
    if (s.copied_from == s.name) r.origin().fail("bad-value", at, "a store cannot copy from itself");
  }
  // Every copy leads back to a source: following copied_from never comes round.
  for (const auto& s : p.stores) {
    const PersonalData::Store* at = &s;
    for (std::size_t steps = 0; at != nullptr && !at->copied_from.empty(); ++steps) {
      if (steps == p.stores.size())
        r.origin().fail("bad-value", r.child("stores") + "/" + s.name + "/copied_from",
                        "the copies go round in a circle (" + s.name + " is copied from a copy of itself): "
                        "one store must be the source");
      at = p.find_store(at->copied_from);
    }
  }
  if (!p.key_store.empty() && p.find_store(p.key_store) == nullptr)
    r.origin().fail("bad-value", r.child("key_store"),
                    "no store " + quote(p.key_store) + " (stores: " + join(names) + ")");
  return spec;
}

std::vector<NodeRole> PersonalData::node_roles() const {
  std::vector<NodeRole> roles{{node, "erasure job"}};
  for (const auto& s : stores) roles.push_back({s.node, s.name});
  return roles;
}

ClientRules PersonalData::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " describes where a person's data lives; its erasure job runs by itself";
  return rules;
}

void PersonalData::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

namespace {
std::vector<topo::DataStore> data_stores(const PersonalData& p) {
  std::vector<topo::DataStore> out;
  for (const auto& s : p.stores) {
    topo::DataStore d;
    d.name = s.name;
    d.kind = s.kind;
    if (!s.copied_from.empty()) d.copied_from.push_back(s.copied_from);
    d.covered = s.erased_by_job;
    d.retention_s = s.retention_s;
    d.encrypted = s.encrypted;
    out.push_back(d);
  }
  return out;
}
} // namespace

std::string PersonalData::analyze_data_text() const {
  const auto all = data_stores(*this);
  return topo::render_erasure_text(all, topo::erasure_reach(all, deadline_s, key_store), deadline_s,
                                   "Personal data " + name + ": where " + person + "'s data lives");
}

std::string PersonalData::analyze_data_dot() const {
  const auto all = data_stores(*this);
  return topo::render_erasure_dot(all, topo::erasure_reach(all, deadline_s, key_store), name);
}

void PersonalData::add_checker_facts(check::CheckOptions& options) const { options.erasure_deadline_s = deadline_s; }

} // namespace faultlab::scenario
