// What a sender (a scheduled job, an application) says to a mail provider.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

// Send one email to each of `recipients` people. The request's simulated
// size is one message per recipient.
struct MailSend final : engine::Payload {
  std::int64_t recipients = 1;
  std::string sender;   // the API key it is sent with: each has its own daily quota
  std::string campaign; // a job's run ("newsletter#12"): the provider's log keeps its count; "" for none
};
struct MailSendReply final : engine::Payload {
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::string error; // why some or all were rejected ("" when all were accepted)
};

namespace mail_kinds {
inline const engine::MessageKind send = engine::message_kind<MailSend>("mail_send");
inline const engine::MessageKind send_reply = engine::message_kind<MailSendReply>("mail_send_reply");
} // namespace mail_kinds

} // namespace faultlab::model
