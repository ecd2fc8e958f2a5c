#include "components/billing/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
namespace lt = check::local_time;

namespace {
constexpr std::size_t kMaxRows = 1'000'000;

std::string money(std::int64_t cents) {
  const std::int64_t rest = cents % 100;
  return std::to_string(cents / 100) + "." + (rest < 10 ? "0" : "") + std::to_string(rest);
}
} // namespace

BillingModel::BillingModel(const scenario::Billing& spec, Components& components, Context& context)
    : spec_(spec), context_(context), provider_(components.get<PaymentProviderModel>(spec.provider)),
      server_(context, context.network.node_index(spec.node), spec.name),
      scheduler_(context, context.network.node_index(spec.node), spec.name + ".cron"),
      rpc_(context, context.network.node_index(spec.node), spec.name + ".out"),
      job_rpc_(context, context.network.node_index(spec.node), spec.name + ".jobs"),
      rng_(context.rng("billing/" + spec.name)) {}

void BillingModel::start() {
  server_.start([this] { serve(); }, [this] { rpc_.reset(); });
  scheduler_.start([this] { run_scheduler(); }, [this] { job_rpc_.reset(); });
}

// Purchases, each in an actor of its own (the provider takes its time).
void BillingModel::serve() {
  while (true) {
    std::shared_ptr<Envelope> request = server_.receive();
    if (request->kind != billing_kinds::purchase) continue;
    if (!context_.may_start_request_actor()) {
      auto refusal = std::make_unique<PurchaseReply>();
      refusal->error = "overloaded: too many requests in flight";
      server_.reply(*request, billing_kinds::purchase_reply, std::move(refusal), spec_.message_bytes);
      continue;
    }
    ++context_.request_actors;
    sg4::Actor::create("purchase", sg4::this_actor::get_host(), [this, request] {
      daemonize_self();
      struct Leave {
        std::int64_t& count;
        ~Leave() { --count; }
      } leave{context_.request_actors};
      compute(spec_.service_time_s);
      const auto& purchase = request->payload_as<PurchaseRequest>();
      const int customer = static_cast<int>(purchase.customer);
      FAULTLAB_INVARIANT(customer >= 0 && static_cast<std::size_t>(customer) < spec_.customers.size(),
                         "a purchase names one of the billing's customers");
      const std::int64_t cents =
          spec_.purchase_min_cents + static_cast<std::int64_t>(rng_.below(
                                         static_cast<std::uint64_t>(spec_.purchase_max_cents - spec_.purchase_min_cents + 1)));
      const std::string order = "purchase-" + std::to_string(request->op);
      ChargeResult result = charge(rpc_, customer, cents, order, "", request->op);
      if (result.ok) store(customer, cents);
      auto reply = std::make_unique<PurchaseReply>();
      reply->ok = result.ok;
      reply->unknown = result.unknown;
      reply->error = result.error;
      reply->amount_cents = cents;
      server_.reply(*request, billing_kinds::purchase_reply, std::move(reply), spec_.message_bytes);
    });
  }
}

// Once a minute: read the wall clock, run what fell due since the last look.
void BillingModel::run_scheduler() {
  daemonize_self();
  const int node = scheduler_.node();
  double last_wall_s = context_.network.wall_time_s(node);
  double next_tick_s = std::floor(sg4::Engine::get_clock() / kTickS + 1) * kTickS;
  while (true) {
    sg4::this_actor::sleep_until(next_tick_s);
    next_tick_s += kTickS;
    const double wall_s = context_.network.wall_time_s(node);
    if (wall_s <= last_wall_s) { // the clock went back: wait until it passes times not yet seen
      last_wall_s = wall_s;
      continue;
    }
    // Every instant `at` after local midnight in a zone, in (last, wall]:
    // the local days k with k * 1 day + at - offset in that range.
    auto due_days = [&](double at_s, double offset_s) {
      std::vector<std::int64_t> days;
      const auto last_day = static_cast<std::int64_t>(std::floor((wall_s + offset_s - at_s) / lt::kDayS));
      for (std::int64_t k = last_day; k > last_day - 3; --k) { // a jump of two days at most
        const double instant_s = static_cast<double>(k) * lt::kDayS + at_s - offset_s;
        if (instant_s <= last_wall_s) break;
        days.insert(days.begin(), k);
      }
      return days;
    };
    std::vector<Renewal> renewals;
    for (std::size_t c = 0; c < spec_.customers.size(); ++c) {
      const int zone = spec_.renewal_in_customer_zone ? spec_.customers[c].zone : spec_.server_zone;
      for (std::int64_t k : due_days(spec_.renewal_at_s, zone_offset_s(zone)))
        renewals.push_back(Renewal{static_cast<int>(c), spec_.start_day + k});
    }
    const int report_zone = spec_.report_in_business_zone ? spec_.business_zone : spec_.server_zone;
    const double report_offset_s = zone_offset_s(report_zone);
    for (std::int64_t k : due_days(spec_.report_at_s, report_offset_s))
      report(spec_.start_day + k - 1, report_offset_s); // the day before
    last_wall_s = wall_s;
    if (renewals.empty()) continue;
    // The renewals run as one job, one customer after the other, while the
    // scheduler goes on ticking.
    sg4::Actor::create("renewals", sg4::this_actor::get_host(), [this, renewals] {
      daemonize_self();
      for (const Renewal& renewal : renewals) renew(renewal);
    });
  }
}

void BillingModel::renew(const Renewal& renewal) {
  const auto& customer = spec_.customers[static_cast<std::size_t>(renewal.customer)];
  const std::string date = lt::format_date(renewal.day);
  const int zone = spec_.renewal_in_customer_zone ? customer.zone : spec_.server_zone;
  const auto& zone_spec = spec_.zones[static_cast<std::size_t>(zone)];
  trace(customer.name, "cron: " + lt::format_time_of_day(spec_.renewal_at_s).substr(0, 5) + " " + zone_spec.name +
                           " on this node's clock (" +
                           lt::format_local(lt::to_local(context_.network.wall_time_s(node()), spec_.start_day,
                                                         zone_spec.utc_offset_s)) +
                           "): renewing " + customer.name + " for " + date);
  const double now = sg4::Engine::get_clock();
  const std::int64_t op = context_.recorder.invoke(now, renewal.customer + 1, spec_.name, "renewal", customer.name,
                                                   spec_.renewal_cents);
  const std::string order = "renewal-" + customer.name + "-" + date;
  ChargeResult result = charge(job_rpc_, renewal.customer, spec_.renewal_cents, order,
                               spec_.idempotency_key ? order : "", op);
  if (result.ok) store(renewal.customer, spec_.renewal_cents);
  context_.recorder.complete(op, sg4::Engine::get_clock(),
                             result.ok        ? history::Outcome::ok
                             : result.unknown ? history::Outcome::info
                                              : history::Outcome::fail,
                             spec_.renewal_cents, result.unknown ? "" : spec_.node, result.error);
}

BillingModel::ChargeResult BillingModel::charge(Rpc& rpc, int customer, std::int64_t cents,
                                                const std::string& order, const std::string& key,
                                                std::int64_t op) {
  auto request = std::make_unique<ChargeRequest>();
  request->order = order;
  request->customer = customer + 1;
  request->amount_cents = cents;
  request->idempotency_key = key;
  const double deadline_s = sg4::Engine::get_clock() + spec_.charge_timeout_s;
  std::unique_ptr<Envelope> answer =
      rpc.call(provider_.node(), provider_.spec().name,
               engine::envelope(payment_kinds::charge, std::move(request), spec_.message_bytes, op), deadline_s);
  if (!answer) return ChargeResult{false, true, "timeout"};
  const auto& reply = answer->payload_as<ChargeReply>();
  return ChargeResult{reply.ok, false, reply.error};
}

// The row, with created_at from this node's wall clock, and its `charged` op
// at the true time.
void BillingModel::store(int customer, std::int64_t cents) {
  FAULTLAB_INVARIANT(rows_.size() < kMaxRows, "the billing's table stays within its limit");
  const double now = sg4::Engine::get_clock();
  const std::string& name = spec_.customers[static_cast<std::size_t>(customer)].name;
  const std::int64_t op = context_.recorder.invoke(now, customer + 1, spec_.name, "charged", name, cents);
  context_.recorder.complete(op, now, history::Outcome::ok, cents, spec_.node, "",
                             static_cast<std::int64_t>(rows_.size() + 1));
  rows_.push_back(Row{customer, cents, context_.network.wall_time_s(node()), op});
}

// SELECT ... WHERE created_at >= midnight AND created_at < next midnight,
// midnight taken in the zone at `utc_offset_s`.
void BillingModel::report(std::int64_t day, double utc_offset_s) {
  const double from_s = lt::local_midnight_s(day, spec_.start_day, utc_offset_s);
  const double to_s = from_s + lt::kDayS;
  const double now = sg4::Engine::get_clock();
  const std::int64_t number = ++reports_;
  const std::string date = lt::format_date(day);
  std::int64_t total = 0;
  std::vector<const Row*> included;
  for (const Row& row : rows_)
    if (row.created_at_s >= from_s && row.created_at_s < to_s) {
      included.push_back(&row);
      total += row.amount_cents;
    }
  const std::int64_t op = context_.recorder.invoke(now, number, spec_.name, "daily_report", date, total);
  context_.recorder.complete(op, now, history::Outcome::ok, total, spec_.node);
  for (const Row* row : included) {
    const std::int64_t r = context_.recorder.invoke(
        now, number, spec_.name, "report_row", spec_.customers[static_cast<std::size_t>(row->customer)].name, row->op);
    context_.recorder.complete(r, now, history::Outcome::ok, row->op, spec_.node);
  }
  trace(date, "end-of-day report for " + date + " (midnight to midnight " + lt::format_offset(utc_offset_s) +
                  "): " + std::to_string(included.size()) + " rows, " + money(total));
}

void BillingModel::trace(const std::string& key, const std::string& why) {
  if (!context_.trace) return;
  const double now = sg4::Engine::get_clock();
  context_.trace->add(now, history::JsonLine(now, "state")
                               .str("node", spec_.node)
                               .str("component", spec_.name)
                               .str("key", key)
                               .str("why", why)
                               .done());
}

std::string BillingClient::key_for(std::size_t index, const ClientRequest& request) {
  (void)request;
  return billing_.spec().customers[index % billing_.spec().customers.size()].name;
}

void BillingClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op =
      context_.recorder.invoke(start_s, request.session, spec_.name, "purchase", request.key, std::nullopt);
  const double deadline_s = start_s + spec_.timeout_s;
  auto message = std::make_unique<PurchaseRequest>();
  message->customer = static_cast<std::int64_t>(request.key_index % billing_.spec().customers.size());
  std::unique_ptr<Envelope> answer =
      rpc_.call(billing_.node(), billing_.spec().name,
                engine::envelope(billing_kinds::purchase, std::move(message), billing_.spec().message_bytes, op),
                deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  const auto& reply = answer->payload_as<PurchaseReply>();
  const history::Outcome outcome = reply.ok        ? history::Outcome::ok
                                   : reply.unknown ? history::Outcome::info
                                                   : history::Outcome::fail;
  context_.recorder.complete(op, now(), outcome,
                             reply.ok ? std::optional<std::int64_t>(reply.amount_cents) : std::nullopt,
                             billing_.spec().node, reply.error);
}

} // namespace faultlab::model
