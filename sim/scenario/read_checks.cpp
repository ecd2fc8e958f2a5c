// A scenario's checks and what `faultlab verify` expects of each run (its
// "checks" and "expect" sections), read for validate.cpp.
#include "check/checker.hpp"
#include "scenario/component.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>
#include <cmath>

namespace faultlab::scenario::detail {

using util::quote;

namespace {
constexpr double kInf = HUGE_VAL;

// The run's own metrics (README "Summary"); components add theirs.
const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names{"availability", "latency_p50_s", "latency_p99_s", "latency_max_s",
                                              "ops_ok", "ops_fail", "ops_info", "ops_total"};
  return names;
}
} // namespace

Check read_check(const std::string& name, ObjectReader& r, const Scenario& s) {
  const Origin& origin = r.origin();
  if (check::find_checker(name) == nullptr) {
    std::vector<std::string> known;
    for (const auto& c : check::registry()) known.push_back(c.name);
    origin.fail("unknown-check", r.pointer(), "no checker named " + quote(name) + " (checkers: " + join(known) + ")");
  }
  Check c;
  c.name = name;
  // Some checks judge what one component type does (stale_cache: a cache).
  const check::CheckerInfo* checker = check::find_checker(name);
  if (checker->needs_component_type != nullptr && s.names_of_type(checker->needs_component_type).empty() &&
      !r.probing()) {
    const std::string type = checker->needs_component_type;
    const bool vowel = std::string("aeiou").find(type[0]) != std::string::npos;
    origin.fail("bad-value", r.pointer(),
                quote(name) + " needs " + (vowel ? "an " : "a ") + type + " component in the scenario");
  }
  if (name == "stale_read" || name == "stale_cache") c.options.stale_bound_s = r.duration_s_or("bound", 0.0);
  if (name == "availability" || name == "shard_skew" || name == "latency_slo" || name == "oom") {
    c.options.window_s = r.duration_s_or("window", c.options.window_s);
    if (c.options.window_s < 0.001) origin.fail("bad-duration", r.child("window"), "expected a window of at least 1ms");
    c.options.min_window_ops = r.integer_or("min_ops", c.options.min_window_ops, 1, 1'000'000'000);
  }
  if (name == "availability") {
    c.options.slo = r.number_or("slo", c.options.slo, 0, 1);
    static const Shape endpoints_shape{
        {{"type", "object"}, {"additionalProperties", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}, nullptr};
    if (const Json* endpoints = r.find("endpoints", endpoints_shape)) {
      if (!endpoints->is_object())
        origin.fail("wrong-type", r.child("endpoints"), "expected an object of endpoint -> SLO, got " + describe_json(*endpoints));
      std::vector<std::string> issued; // the operations some client sends
      for (const auto& client : s.workload.clients)
        for (const auto& [op, weight] : client.mix)
          if (weight > 0 && std::find(issued.begin(), issued.end(), op) == issued.end()) issued.push_back(op);
      for (auto it = endpoints->begin(); it != endpoints->end(); ++it) {
        std::string pointer = pointer_append(r.child("endpoints"), it.key());
        if (std::find(issued.begin(), issued.end(), it.key()) == issued.end())
          origin.fail("unknown-field", pointer,
                      "no client calls an endpoint " + quote(it.key()) + " (endpoints: " + join(issued) + ")");
        c.options.endpoint_slo[it.key()] = read_number(origin, it.value(), pointer, 0, 1);
      }
    }
  }
  if (name == "latency_slo") {
    c.options.latency_percentile = r.number_or("percentile", c.options.latency_percentile, 0.5, 1);
    c.options.latency_bound_s = detail::positive_duration(r, "bound", c.options.latency_bound_s, "a latency bound");
    static const Shape latency_endpoints_shape{
        {{"type", "object"}, {"additionalProperties", {{"$ref", "#/$defs/duration"}}}}, nullptr};
    if (const Json* endpoints = r.find("endpoints", latency_endpoints_shape)) {
      if (!endpoints->is_object())
        origin.fail("wrong-type", r.child("endpoints"),
                    "expected an object of endpoint -> latency bound, got " + describe_json(*endpoints));
      std::vector<std::string> issued; // the operations some client sends
      for (const auto& client : s.workload.clients)
        for (const auto& [op, weight] : client.mix)
          if (weight > 0 && std::find(issued.begin(), issued.end(), op) == issued.end()) issued.push_back(op);
      for (auto it = endpoints->begin(); it != endpoints->end(); ++it) {
        const std::string pointer = pointer_append(r.child("endpoints"), it.key());
        if (std::find(issued.begin(), issued.end(), it.key()) == issued.end())
          origin.fail("unknown-field", pointer,
                      "no client calls an endpoint " + quote(it.key()) + " (endpoints: " + join(issued) + ")");
        c.options.endpoint_latency_s[it.key()] = read_duration_s(origin, it.value(), pointer);
      }
    }
  }
  if (name == "schema_mismatch") {
    c.options.window_s = r.duration_s_or("window", c.options.window_s);
    if (c.options.window_s < 0.001) origin.fail("bad-duration", r.child("window"), "expected a window of at least 1ms");
  }
  if (name == "shard_skew") c.options.skew_bound = r.number_or("bound", c.options.skew_bound, 1, kInf);
  if (name == "charged_not_fulfilled")
    c.options.payment_bound_s = r.duration_s_or("bound", c.options.payment_bound_s);
  if (name == "rto_exceeded") c.options.rto_s = detail::positive_duration(r, "rto", c.options.rto_s, "a recovery time objective");
  if (name == "no_valid_backup") c.options.rpo_s = detail::positive_duration(r, "rpo", c.options.rpo_s, "a recovery point objective");
  if (name == "unnoticed_failure")
    c.options.alert_bound_s = r.duration_s_or("bound", c.options.alert_bound_s);
  // What the components tell the checkers (cache nodes, shards, stock).
  for (const auto& component : s.components) component->add_checker_facts(c.options);
  r.finish();
  return c;
}

std::vector<std::string> checker_names() {
  std::vector<std::string> names;
  for (const auto& c : check::registry()) names.push_back(c.name);
  return names;
}

void read_expect(ObjectReader e, Scenario& s) {
  auto bounds = [&](ObjectReader& b, const std::string& what) {
    Expectation x{what, std::nullopt, std::nullopt};
    if (b.has("min")) x.min = b.number("min", -kInf, kInf);
    if (b.has("max")) x.max = b.number("max", -kInf, kInf);
    if (!x.min && !x.max) b.origin().fail("missing-field", b.pointer(), "expected \"min\", \"max\" or both");
    b.finish();
    s.expect.push_back(x);
  };
  std::vector<std::string> names = metric_names();
  // While probing for the schema, the sample components stand for every
  // type: offer every metric a component may add.
  const std::vector<std::string> extras =
      e.probing() ? ComponentTypes::instance().all_metric_names() : s.component_metric_names();
  for (const auto& extra : extras)
    if (std::find(names.begin(), names.end(), extra) == names.end()) names.push_back(extra);
  for (auto& [name, b] : e.named_members("violations", checker_names())) {
    bool checked = std::any_of(s.checks.begin(), s.checks.end(), [&name = name](const Check& c) { return c.name == name; });
    if (!checked)
      e.origin().fail("unknown-check", b.pointer(), quote(name) + " is not among this scenario's checks");
    bounds(b, "violations." + name);
  }
  for (auto& [name, b] : e.named_members("metrics", names)) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      e.origin().fail("unknown-field", b.pointer(), "unknown metric " + quote(name) + " (metrics: " + join(names) + ")");
    bounds(b, "metrics." + name);
  }
  e.finish();
}

} // namespace faultlab::scenario::detail
