#include "components/billing/spec.hpp"

#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

#include <algorithm>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;
namespace lt = check::local_time;

namespace {
constexpr long long kMaxCents = 100'000'000'00LL;
constexpr int kMaxCustomers = 10'000;
constexpr int kMaxZones = 100;

// "09:00" at `key` (or `fallback` when absent).
double time_of_day(ObjectReader& r, const std::string& key, double fallback) {
  if (!r.has(key)) return fallback;
  const std::string text = r.string(key);
  const std::optional<double> seconds = lt::parse_time_of_day(text);
  if (!seconds) {
    if (r.probing()) return fallback;
    r.origin().fail("bad-value", r.child(key), "expected a time of day like \"09:00\", got " + quote(text));
  }
  return *seconds;
}

// A UTC offset like "-5h" or "+9h" (a signed duration), or "+05:30", within
// 14 hours.
double utc_offset(ObjectReader& r, const std::string& key) {
  std::string text = r.string(key);
  if (r.probing()) return 0.0;
  const std::string given = text;
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.erase(0, 1);
  std::optional<double> seconds = lt::parse_time_of_day(text); // "05:30"
  if (!seconds) seconds = util::parse_duration_s(text);
  if (!seconds || *seconds > 14 * 3600.0)
    r.origin().fail("bad-value", r.child(key),
                    "expected an offset from UTC like \"-5h\", \"+9h\" or \"+05:30\", at most 14h, got " + quote(given));
  return *seconds * (negative ? -1.0 : 1.0);
}

int zone_index(const Billing& b, ObjectReader& r, const std::string& key, const std::string& fallback) {
  const std::string name = r.has(key) ? r.string(key) : fallback;
  for (std::size_t i = 0; i < b.zones.size(); ++i)
    if (b.zones[i].name == name) return static_cast<int>(i);
  if (r.probing()) return 0;
  std::vector<std::string> names;
  for (const auto& zone : b.zones) names.push_back(zone.name);
  r.origin().fail("bad-value", r.child(key), "no time zone named " + quote(name) + " (zones: " + join(names) + ")");
  return 0;
}

} // namespace

std::shared_ptr<ComponentSpec> read_billing(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<Billing>();
  Billing& b = *spec;
  b.name = name;
  b.type = "billing";
  r.describe({{"zones", "time zones by name, each with a fixed utc_offset like \"-5h\" (no daylight saving time); UTC is always known"},
              {"server_zone", "the billing node's time zone setting (TZ), which its scheduler reads times in"},
              {"business_zone", "the zone whose days the daily reports are about"},
              {"customers", "groups of customers, each with a zone and a count; customer n of group g is named g-n"},
              {"start_date", "the date whose midnight UTC is simulated time 0, like \"2026-03-02\""},
              {"renewal", "the daily charge: at (\"09:00\"), in (server or customer zone), amount_cents, timeout, idempotency_key"},
              {"allowed_hours", "from and to (\"08:00\", \"20:00\"): the customer's local hours in which a renewal may fall"},
              {"report", "the end-of-day report: at (\"00:30\") and day (server: midnight in the server's zone; business: in the business zone)"},
              {"purchase_cents", "the amount of a customer's one-off purchase: min and max, whole cents"}});
  b.node = read_node(r, topology);
  b.provider = r.string("provider");
  b.zones.push_back(lt::Zone{"UTC", 0.0});
  for (auto& [zone_name, z] : r.members("zones")) {
    if (zone_name == "UTC") {
      if (!r.probing()) r.origin().fail("bad-value", z.pointer(), "UTC is always known; give other zones");
      continue;
    }
    if (b.zones.size() >= kMaxZones && !r.probing())
      r.origin().fail("over-limit", z.pointer(), "at most " + std::to_string(kMaxZones) + " zones");
    b.zones.push_back(lt::Zone{zone_name, utc_offset(z, "utc_offset")});
    z.finish();
  }
  b.server_zone = zone_index(b, r, "server_zone", "UTC");
  b.business_zone = zone_index(b, r, "business_zone", "UTC");
  for (auto& [group, c] : r.members("customers")) {
    check_name(r.origin(), group, c.pointer());
    const int zone = zone_index(b, c, "zone", "");
    const int count = static_cast<int>(c.integer_or("count", 1, 1, kMaxCustomers));
    c.finish();
    for (int i = 1; i <= count; ++i) b.customers.push_back(Billing::Customer{group + "-" + std::to_string(i), zone});
    if (b.customers.size() > static_cast<std::size_t>(kMaxCustomers) && !r.probing())
      r.origin().fail("over-limit", c.pointer(), "at most " + std::to_string(kMaxCustomers) + " customers in all");
  }
  if (b.customers.empty() && !r.probing())
    r.origin().fail("missing-field", r.child("customers"), "expected at least one group of customers");
  if (r.has("start_date")) {
    const std::string text = r.string("start_date");
    const auto day = lt::parse_date(text);
    if (!day && !r.probing())
      r.origin().fail("bad-value", r.child("start_date"), "expected a date like \"2026-03-02\", got " + quote(text));
    b.start_day = day.value_or(0);
  } else {
    b.start_day = lt::days_from_civil(2026, 3, 2);
  }
  if (r.find("renewal")) {
    ObjectReader n = r.object("renewal");
    b.renewal_at_s = time_of_day(n, "at", b.renewal_at_s);
    b.renewal_in_customer_zone = n.choice("in", {"server", "customer"}, "server") == "customer";
    b.renewal_cents = n.integer_or("amount_cents", b.renewal_cents, 1, kMaxCents);
    b.charge_timeout_s = positive_duration(n, "timeout", b.charge_timeout_s, "a timeout");
    b.idempotency_key = n.boolean_or("idempotency_key", false);
    n.finish();
  }
  if (r.find("allowed_hours")) {
    ObjectReader h = r.object("allowed_hours");
    b.allowed_from_s = time_of_day(h, "from", b.allowed_from_s);
    b.allowed_to_s = time_of_day(h, "to", b.allowed_to_s);
    if (b.allowed_from_s == b.allowed_to_s && !r.probing())
      r.origin().fail("bad-value", h.child("to"), "expected a window: \"to\" differs from \"from\"");
    h.finish();
  }
  if (r.find("report")) {
    ObjectReader p = r.object("report");
    b.report_at_s = time_of_day(p, "at", b.report_at_s);
    b.report_in_business_zone = p.choice("day", {"server", "business"}, "server") == "business";
    p.finish();
  }
  if (r.find("purchase_cents")) {
    ObjectReader a = r.object("purchase_cents");
    b.purchase_min_cents = a.integer_or("min", b.purchase_min_cents, 1, kMaxCents);
    b.purchase_max_cents = a.integer_or("max", std::max(b.purchase_min_cents, b.purchase_max_cents), 1, kMaxCents);
    if (b.purchase_max_cents < b.purchase_min_cents && !r.probing())
      r.origin().fail("bad-value", a.child("max"), "expected max to be at least min");
    a.finish();
  }
  b.service_time_s = r.duration_s_or("service_time", b.service_time_s);
  b.message_bytes = read_message_size(r, b.message_bytes);
  return spec;
}

std::vector<NodeRole> Billing::node_roles() const {
  return {{node, "billing"}};
}

std::vector<std::string> Billing::client_ops() const {
  return {"purchase"};
}

ClientRules Billing::client_rules() const {
  ClientRules rules;
  rules.no_key_count = "a purchase's key is one of the billing's customers; drop keys.count";
  rules.no_key_prefix = "a purchase's key is one of the billing's customers; drop keys.prefix";
  return rules;
}

std::optional<int> Billing::key_count_for(const Client& client) const {
  (void)client;
  return static_cast<int>(customers.size());
}

void Billing::check_references(const Scenario& scenario, const Origin& origin) const {
  if (scenario.component_type(provider) != "payment_provider") {
    const auto providers = scenario.names_of_type("payment_provider");
    origin.fail("unknown-component", pointer_append("/components", name) + "/provider",
                quote(provider) + " is not a payment_provider of this scenario (payment providers: " +
                    (providers.empty() ? std::string("none") : join(providers)) + ")");
  }
}

void Billing::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(
      topo::Component{name, type, {node}, topo::Needs::all, {topo::Dependency{provider, true, "charge"}}});
}

void Billing::add_checker_facts(check::CheckOptions& options) const {
  for (const Customer& customer : customers) {
    const lt::Zone& zone = zones[static_cast<std::size_t>(customer.zone)];
    options.customer_zones[customer.name] = check::CheckOptions::TimeZone{zone.name, zone.utc_offset_s};
  }
  options.local_window_from_s = allowed_from_s;
  options.local_window_to_s = allowed_to_s;
  const lt::Zone& business = zones[static_cast<std::size_t>(business_zone)];
  options.report_zone = check::CheckOptions::TimeZone{business.name, business.utc_offset_s};
  options.start_day = start_day;
}

} // namespace faultlab::scenario
