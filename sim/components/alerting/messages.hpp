// What a scheduled job tells an alerting component. None expects an answer
// (a ping is fire-and-forget): what is lost on the way is simply not known.
#pragma once

#include "engine/message.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

// "I am alive" (a dead-man's switch's ping).
struct HeartbeatPing final : engine::Payload {
  std::string job;
  std::int64_t run = 0;
};

// The counts of a finished run.
struct JobReport final : engine::Payload {
  std::string job;
  std::int64_t run = 0;
  std::int64_t done = 0;     // the work the job knows was done (what the provider accepted)
  std::int64_t expected = 0; // the work the run had
  std::string unit;          // "emails"
};

// One error log line, shipped.
struct ErrorLog final : engine::Payload {
  std::string job;
  std::int64_t run = 0;
  std::string text;
};

namespace alerting_kinds {
inline const engine::MessageKind ping = engine::message_kind<HeartbeatPing>("heartbeat_ping");
inline const engine::MessageKind report = engine::message_kind<JobReport>("job_report");
inline const engine::MessageKind error_log = engine::message_kind<ErrorLog>("error_log");
} // namespace alerting_kinds

} // namespace faultlab::model
