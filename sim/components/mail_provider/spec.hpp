// An email provider behind an HTTP API (SendGrid, SES, Mailgun-like): it
// accepts messages in requests of up to `batch_limit` recipients, spends
// `per_message` of CPU on each, and counts every accepted message against a
// daily sending quota. Past the quota it answers "429 daily sending quota
// exceeded" for the rest of the day: a request may be accepted in part.
// Each sender (an API key: a job's, an application's) has a quota of its
// own, as with a provider's sub-accounts.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct MailProvider : ComponentSpec {
  std::string node;
  std::int64_t daily_quota = 0;       // messages accepted per day and sender (days start at 0s, 1d, 2d...); 0: none
  std::int64_t batch_limit = 1000;    // recipients per request
  double per_message_s = 0.0005;      // CPU per accepted message on the provider's node
  std::int64_t message_bytes = 20 * 1024; // one email on the wire: a request carries one per recipient

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override;
  ClientRules client_rules() const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_mail_provider(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader, its model and its client driver.
void register_mail_provider();
} // namespace faultlab::components
