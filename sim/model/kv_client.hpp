// A client of a replica group: reads and writes keys, with read-your-writes
// sessions when the group offers them, and optionally reloads what it just
// wrote (a user saving a profile, then seeing the page again).
#pragma once

#include "model/driver.hpp"
#include "model/group_client.hpp"

#include <set>

namespace faultlab::model {

class KvClient : public ClientDriver {
public:
  KvClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng, const ReplicaGroupModel& group);

  void perform(const ClientRequest& request) override;
  std::vector<std::string> final_keys() const override { return {written_keys_.begin(), written_keys_.end()}; }

private:
  history::Outcome once(const ClientRequest& request);

  GroupClient group_;
  std::vector<std::int64_t> session_position_; // last acknowledged write position per session
  std::set<std::string> written_keys_;         // ordered: final reads happen in a fixed order
};

} // namespace faultlab::model
