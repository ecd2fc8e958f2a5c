#include "components/order_api/model.hpp"

#include "components/order_api/json_numbers.hpp"
#include "model/invariant.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using json_numbers::cents_to_decimal;
using json_numbers::js_number_to_string;

namespace {
constexpr std::size_t kMaxOrders = 1'000'000;
constexpr std::int64_t kMsPerDay = 86'400'000;

void record_now(Context& context, std::int64_t process, const std::string& client, const std::string& f,
                const std::string& key, const std::string& node) {
  const double now = sg4::Engine::get_clock();
  const std::int64_t op = context.recorder.invoke(now, process, client, f, key, std::nullopt);
  context.recorder.complete(op, now, history::Outcome::ok, std::nullopt, node);
}
} // namespace

OrderApiModel::OrderApiModel(const scenario::OrderApi& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name),
      rng_(context.rng("order_api/" + spec.name)) {}

void OrderApiModel::start() {
  server_.start([this] {
    server_.serve(spec_.service_time_s, [this](std::unique_ptr<Envelope> request) { handle(*request); });
  });
}

// Snowflake: 41 bits of milliseconds since the epoch, 10 of worker, 12 of
// sequence. The milliseconds come from the node's wall clock; a clock that
// went back keeps the last millisecond (ids never repeat).
std::uint64_t OrderApiModel::next_id() {
  const double wall_s = context_.network.wall_time_s(node());
  std::int64_t ms = (spec_.start_day - spec_.id_epoch_day) * kMsPerDay + static_cast<std::int64_t>(std::floor(wall_s * 1e3));
  if (ms < last_ms_) ms = last_ms_;
  if (ms == last_ms_) {
    if (++sequence_ == 4096) { // this millisecond's ids are used up: take the next one
      ++ms;
      sequence_ = 0;
    }
  } else {
    sequence_ = 0;
  }
  last_ms_ = ms;
  FAULTLAB_INVARIANT(ms >= 0 && ms < (std::int64_t{1} << 41), "the id's milliseconds fit in 41 bits");
  return (static_cast<std::uint64_t>(ms) << 22) | (static_cast<std::uint64_t>(spec_.worker_id) << 12) |
         static_cast<std::uint64_t>(sequence_);
}

// The answer's JSON text, as the API's code writes it.
std::string OrderApiModel::body_of(const Order& order) const {
  const std::string id = spec_.ids_as_numbers ? std::to_string(order.id) : "\"" + std::to_string(order.id) + "\"";
  if (!spec_.money_as_double) return "{\"id\":" + id + ",\"total_cents\":" + std::to_string(order.total_cents) + "}";
  // items.reduce((sum, item) => sum + parseFloat(item.price), 0)
  double total = 0.0;
  for (int product : order.products)
    total += std::strtod(spec_.catalog[static_cast<std::size_t>(product)].price.c_str(), nullptr);
  return "{\"id\":" + id + ",\"total\":" + js_number_to_string(total) + "}";
}

void OrderApiModel::handle(const Envelope& request) {
  if (request.kind == order_api_kinds::create) {
    const auto& create = request.payload_as<CreateOrder>();
    FAULTLAB_INVARIANT(orders_.size() < kMaxOrders, "the orders table stays within its limit");
    Order order;
    const int count = spec_.items_min + static_cast<int>(rng_.below(static_cast<std::uint64_t>(spec_.items_max - spec_.items_min + 1)));
    for (int i = 0; i < count; ++i) {
      const int product = static_cast<int>(rng_.below(spec_.catalog.size()));
      order.products.push_back(product);
      order.total_cents += spec_.catalog[static_cast<std::size_t>(product)].cents; // SUM over DECIMAL: exact
    }
    order.id = next_id();
    FAULTLAB_INVARIANT(orders_.count(order.id) == 0, "an order id is never given twice");
    orders_[order.id] = order;
    record_now(context_, request.op, spec_.name, "stored", create.label + "/id=" + std::to_string(order.id), spec_.node);
    record_now(context_, request.op, spec_.name, "stored", create.label + "/total=" + cents_to_decimal(order.total_cents),
               spec_.node);
    auto reply = std::make_unique<OrderCreated>();
    reply->body = body_of(order);
    const auto size = kHeaderBytes + static_cast<std::int64_t>(reply->body.size());
    server_.reply(request, order_api_kinds::created, std::move(reply), size);
    return;
  }
  if (request.kind == order_api_kinds::get) {
    // The path segment read as a BIGINT, exactly.
    const std::string& text = request.payload_as<GetOrder>().id;
    auto reply = std::make_unique<OrderFound>();
    char* end = nullptr;
    errno = 0;
    const unsigned long long id = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) {
      reply->status = 400;
    } else if (auto it = orders_.find(id); it == orders_.end()) {
      reply->status = 404;
    } else {
      reply->body = body_of(it->second);
    }
    const auto size = kHeaderBytes + static_cast<std::int64_t>(reply->body.size());
    server_.reply(request, order_api_kinds::found, std::move(reply), size);
  }
}

std::string OrderApiClient::key_for(std::size_t index, const ClientRequest& request) {
  (void)index;
  (void)request;
  return spec_.key_prefix + std::to_string(next_order_++);
}

void OrderApiClient::received(std::int64_t session, const std::string& key) {
  record_now(context_, session, spec_.name, "received", key, "");
}

void OrderApiClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op = context_.recorder.invoke(start_s, request.session, spec_.name, "order", request.key, std::nullopt);
  const double deadline_s = start_s + spec_.timeout_s;
  auto create = std::make_unique<CreateOrder>();
  create->label = request.key;
  std::unique_ptr<Envelope> answer =
      rpc_.call(api_.node(), api_.spec().name,
                engine::envelope(order_api_kinds::create, std::move(create),
                                 OrderApiModel::kHeaderBytes + static_cast<std::int64_t>(request.key.size()), op),
                deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  // JSON.parse: every number becomes a double.
  const nlohmann::json body = nlohmann::json::parse(answer->payload_as<OrderCreated>().body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("id")) {
    context_.recorder.complete(op, now(), history::Outcome::fail, std::nullopt, api_.spec().node, "unreadable answer");
    return;
  }
  const nlohmann::json& id_json = body["id"];
  const std::string id = id_json.is_string() ? id_json.get<std::string>() : js_number_to_string(id_json.get<double>());
  std::string total;
  if (body.contains("total")) total = js_number_to_string(body["total"].get<double>());
  else total = cents_to_decimal(static_cast<std::int64_t>(std::llround(body["total_cents"].get<double>())));
  received(request.session, request.key + "/id=" + id);
  received(request.session, request.key + "/total=" + total);
  // GET /orders/<id>, with the id as this client holds it.
  auto get = std::make_unique<GetOrder>();
  get->id = id;
  answer = rpc_.call(api_.node(), api_.spec().name,
                     engine::envelope(order_api_kinds::get, std::move(get),
                                      OrderApiModel::kHeaderBytes + static_cast<std::int64_t>(id.size()), op),
                     deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  const auto& found = answer->payload_as<OrderFound>();
  if (found.status != 200) {
    context_.recorder.complete(op, now(), history::Outcome::fail, std::nullopt, api_.spec().node,
                               "GET /orders/" + id + ": " + (found.status == 404 ? "404 Not Found" : "400 Bad Request"));
    return;
  }
  context_.recorder.complete(op, now(), history::Outcome::ok, std::nullopt, api_.spec().node);
}

} // namespace faultlab::model
