// The mail provider as a SimGrid actor: one server that takes a request,
// accepts as many of its recipients as today's quota has room for, spends
// `per_message` of CPU on each accepted message, and answers with the
// counts. Requests queue in its inbox while it works.
//
// Every request that names a campaign (a job's run) is recorded in the
// history as a `work_done` op of the provider's name (key: the campaign,
// value: the messages accepted), so a checker can compare what a job
// claimed with what the provider actually took.
#pragma once

#include "components/mail_provider/messages.hpp"
#include "components/mail_provider/spec.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/server.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace faultlab::model {

class MailProviderModel : public ComponentModel {
public:
  MailProviderModel(const scenario::MailProvider& spec, Context& context);
  void start() override;
  const scenario::MailProvider& spec() const { return spec_; }
  int node() const { return server_.node(); }

private:
  void handle(std::unique_ptr<engine::Envelope> request);

  const scenario::MailProvider& spec_;
  Context& context_;
  Server server_;
  std::int64_t day_ = 0;                          // the day the quota counts are for
  std::map<std::string, std::int64_t> used_today_; // sender -> messages accepted that day
};

// A client group's transactional emails: one message per request.
class MailClient : public ClientDriver {
public:
  MailClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
             const MailProviderModel& provider)
      : ClientDriver(spec, context, node, rng), provider_(provider) {}
  void perform(const ClientRequest& request) override;

private:
  const MailProviderModel& provider_;
};

} // namespace faultlab::model
