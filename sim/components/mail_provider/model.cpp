#include "components/mail_provider/model.hpp"

#include "history/json_line.hpp"
#include "model/invariant.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;

namespace {
constexpr double kDay_s = 86400.0;
}

MailProviderModel::MailProviderModel(const scenario::MailProvider& spec, Context& context)
    : spec_(spec), context_(context), server_(context, context.network.node_index(spec.node), spec.name) {}

void MailProviderModel::start() {
  // The quota count is the provider's own bookkeeping: it survives a crash.
  server_.start([this] { server_.serve(0.0, [this](std::unique_ptr<Envelope> request) { handle(std::move(request)); }); });
}

void MailProviderModel::handle(std::unique_ptr<Envelope> request) {
  if (request->kind != mail_kinds::send) return;
  const MailSend send = request->payload_as<MailSend>();
  const auto today = static_cast<std::int64_t>(std::floor(sg4::Engine::get_clock() / kDay_s));
  if (today != day_) {
    day_ = today;
    used_today_.clear();
  }
  auto reply = std::make_unique<MailSendReply>();
  const std::int64_t used = used_today_[send.sender];
  if (send.recipients > spec_.batch_limit) {
    reply->rejected = send.recipients;
    reply->error = "400 too many recipients (" + std::to_string(send.recipients) + ", at most " +
                   std::to_string(spec_.batch_limit) + " per request)";
  } else {
    const std::int64_t room =
        spec_.daily_quota > 0 ? std::max<std::int64_t>(0, spec_.daily_quota - used) : send.recipients;
    reply->accepted = std::min(room, send.recipients);
    reply->rejected = send.recipients - reply->accepted;
    if (reply->rejected > 0) {
      reply->error = "429 daily sending quota exceeded (" + std::to_string(spec_.daily_quota) +
                     " messages a day for sender " + send.sender + ", all used; it resets at midnight)";
      if (room > 0 && context_.trace) {
        // The moment the quota runs out today, once.
        const double now = sg4::Engine::get_clock();
        history::JsonLine line(now, "state");
        line.str("node", spec_.node)
            .str("component", spec_.name)
            .str("sender", send.sender)
            .integer("day", day_)
            .integer("quota", spec_.daily_quota)
            .str("why", "sender " + send.sender + " used up its daily quota of " +
                            std::to_string(spec_.daily_quota) + " messages on day " + std::to_string(day_) +
                            ": the rest of its messages today are rejected");
        context_.trace->add(now, line.done());
      }
    }
  }
  compute(spec_.per_message_s * static_cast<double>(reply->accepted));
  // Only this actor touches the counts, so none changed during the compute.
  const std::int64_t now_used = used_today_[send.sender] += reply->accepted;
  FAULTLAB_INVARIANT(spec_.daily_quota == 0 || now_used <= spec_.daily_quota,
                     "the provider never accepts more than its daily quota");
  if (!send.campaign.empty()) {
    // The provider's own log of what it took for a campaign: the truth a
    // checker compares the job's claims with.
    const double now = sg4::Engine::get_clock();
    const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, "work_done", send.campaign, reply->accepted);
    context_.recorder.complete(op, now, history::Outcome::ok, reply->accepted, spec_.node, reply->error);
  }
  server_.reply(*request, mail_kinds::send_reply, std::move(reply), 512);
}

void MailClient::perform(const ClientRequest& request) {
  const double start_s = now();
  const std::int64_t op =
      context_.recorder.invoke(start_s, request.session, spec_.name, request.f, request.key, std::nullopt);
  auto message = std::make_unique<MailSend>();
  message->recipients = 1;
  message->sender = spec_.name; // the application's own API key
  const double deadline_s = start_s + spec_.timeout_s;
  std::unique_ptr<Envelope> answer = rpc_.call(
      provider_.node(), provider_.spec().name,
      engine::envelope(mail_kinds::send, std::move(message), provider_.spec().message_bytes, op), deadline_s);
  if (!answer) {
    context_.recorder.complete(op, deadline_s, history::Outcome::info, std::nullopt, "", "timeout");
    return;
  }
  const auto& reply = answer->payload_as<MailSendReply>();
  context_.recorder.complete(op, now(), reply.accepted == 1 ? history::Outcome::ok : history::Outcome::fail,
                             std::nullopt, provider_.spec().node, reply.error);
}

} // namespace faultlab::model
