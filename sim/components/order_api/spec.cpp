#include "components/order_api/spec.hpp"

#include "check/local_time.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"

#include <algorithm>

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;
namespace lt = check::local_time;

namespace {
constexpr int kMaxProducts = 1000;
constexpr std::int64_t kMaxPriceCents = 100'000'000; // a million in the currency

// "19.99", "5", "0.10": at most two decimals, as money is written.
std::optional<std::int64_t> parse_price_cents(const std::string& text) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i] - '0');
    if (whole > kMaxPriceCents) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::int64_t cents = whole * 100;
  if (i < text.size()) {
    if (text[i] != '.' || text.size() - i - 1 < 1 || text.size() - i - 1 > 2) return std::nullopt;
    std::int64_t fraction = 0;
    for (std::size_t j = i + 1; j < text.size(); ++j) {
      if (text[j] < '0' || text[j] > '9') return std::nullopt;
      fraction = fraction * 10 + (text[j] - '0');
    }
    cents += text.size() - i - 1 == 1 ? fraction * 10 : fraction;
  }
  if (cents <= 0 || cents > kMaxPriceCents) return std::nullopt;
  return cents;
}

std::int64_t read_date(ObjectReader& r, const std::string& key, std::int64_t fallback) {
  if (!r.has(key)) return fallback;
  const std::string text = r.string(key);
  const auto day = lt::parse_date(text);
  if (!day && !r.probing())
    r.origin().fail("bad-value", r.child(key), "expected a date like \"2026-03-02\", got " + quote(text));
  return day.value_or(fallback);
}
} // namespace

std::shared_ptr<ComponentSpec> read_order_api(const std::string& name, ObjectReader& r, const Topology& topology) {
  auto spec = std::make_shared<OrderApi>();
  OrderApi& a = *spec;
  a.name = name;
  a.type = "order_api";
  r.describe({{"catalog", "product -> price as a decimal string with at most two decimals, like \"19.99\""},
              {"items_per_order", "how many products an order holds: min and max (each drawn uniformly)"},
              {"money", "how the API sends an order's total: double (summed in floating point, a JSON number) or minor_units (integer cents, total_cents)"},
              {"ids", "how the API sends an order's id: number (a JSON number) or string"},
              {"worker_id", "the id generator's worker number, 0..1023"},
              {"id_epoch", "the date the id generator counts milliseconds from, like \"2015-01-01\""},
              {"start_date", "the date whose midnight UTC is simulated time 0"}});
  a.node = read_node(r, topology);
  static const Shape catalog_shape{
      {{"type", "object"}, {"additionalProperties", {{"type", "string"}, {"pattern", "^[0-9]+([.][0-9]{1,2})?$"}}}},
      Json::object({{"coffee", "19.99"}})};
  if (const Json* catalog = r.find("catalog", catalog_shape)) {
    if (!catalog->is_object() && !r.probing())
      r.origin().fail("wrong-type", r.child("catalog"),
                      "expected an object of product -> price, like {\"coffee\": \"19.99\"}, got " + describe_json(*catalog));
    if (catalog->is_object())
      for (auto it = catalog->begin(); it != catalog->end(); ++it) {
        const std::string pointer = pointer_append(r.child("catalog"), it.key());
        const std::string price = read_string(r.origin(), it.value(), pointer);
        const auto cents = parse_price_cents(price);
        if (!cents && !r.probing())
          r.origin().fail("bad-value", pointer,
                          "expected a price like \"19.99\" (digits, at most two decimals, above zero), got " + quote(price));
        if (a.catalog.size() >= kMaxProducts && !r.probing())
          r.origin().fail("over-limit", pointer, "at most " + std::to_string(kMaxProducts) + " products");
        a.catalog.push_back(OrderApi::Product{it.key(), price, cents.value_or(1)});
      }
  }
  if (a.catalog.empty() && !r.probing())
    r.origin().fail("missing-field", r.child("catalog"), "expected a catalog with at least one product");
  if (r.find("items_per_order")) {
    ObjectReader n = r.object("items_per_order");
    a.items_min = static_cast<int>(n.integer_or("min", a.items_min, 1, 100));
    a.items_max = static_cast<int>(n.integer_or("max", std::max(a.items_min, a.items_max), 1, 100));
    if (a.items_max < a.items_min && !r.probing())
      r.origin().fail("bad-value", n.child("max"), "expected max to be at least min");
    n.finish();
  }
  a.money_as_double = r.choice("money", {"double", "minor_units"}, "double") == "double";
  a.ids_as_numbers = r.choice("ids", {"number", "string"}, "number") == "number";
  a.worker_id = static_cast<int>(r.integer_or("worker_id", a.worker_id, 0, 1023));
  a.id_epoch_day = read_date(r, "id_epoch", lt::days_from_civil(2015, 1, 1));
  a.start_day = read_date(r, "start_date", lt::days_from_civil(2026, 3, 2));
  if (a.start_day < a.id_epoch_day && !r.probing())
    r.origin().fail("bad-value", r.child("start_date"), "expected a start_date on or after the id_epoch");
  if (a.start_day - a.id_epoch_day > 60 * 366 && !r.probing()) // 41 bits of milliseconds last 69 years
    r.origin().fail("bad-value", r.child("start_date"), "expected a start_date within 60 years of the id_epoch");
  a.service_time_s = r.duration_s_or("service_time", a.service_time_s);
  return spec;
}

std::vector<NodeRole> OrderApi::node_roles() const {
  return {{node, "api"}};
}

std::vector<std::string> OrderApi::client_ops() const {
  return {"order"};
}

ClientRules OrderApi::client_rules() const {
  ClientRules rules;
  rules.no_key_count = "each order request is a new order; drop keys.count";
  rules.default_key_prefix = "order-";
  return rules;
}

void OrderApi::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(topo::Component{name, type, {node}, topo::Needs::all, {}});
}

} // namespace faultlab::scenario
