// Words for the database's lock waits and statements: who a wait is behind,
// followed through the queue ("api (op 12) get_order waits for ACCESS SHARE
// on orders behind migration add_column (waits for ACCESS EXCLUSIVE), which
// waits behind report report (holds ACCESS SHARE)"), and what an op's
// statements did (plan, rows examined). No ImGui: the details panel and the
// tests use it.
#pragma once

#include "trace_model/trace.hpp"

#include <string>
#include <vector>

namespace faultlab::viz {

// One entry of a lock_wait's "behind": "report report holds ACCESS SHARE".
struct Blocker {
  std::string who;
  std::string mode;
  bool holds = false; // holds the lock; false: waits for it, ahead in the queue
};
struct Behind {
  std::vector<Blocker> blockers;
  std::int64_t more = 0; // "and N more"
  std::vector<std::string> unparsed; // entries in words this viewer does not read (kept as they are)
};
Behind parse_behind(const std::string& behind);

// The wait of `who` on `lock` of `component` in progress at t_s, or nullptr.
const LockWait* open_lock_wait(const Trace& trace, const std::string& component, const std::string& lock,
                               const std::string& who, double t_s);

// The chain of waits from `w`, one line per link (at most kMaxChain): the
// first says what `w` waits behind, each next one what the first blocker
// that itself waits was waiting behind at `w`'s start.
constexpr std::size_t kMaxChain = 5;
struct ChainLink {
  std::string words;
  const LockWait* wait = nullptr; // the wait this link describes
};
std::vector<ChainLink> wait_chain(const Trace& trace, const LockWait& w);

// The wait's details: the chain, then how long and how it ended.
std::string describe_lock_wait(const Trace& trace, const LockWait& w);

// A statement in words: "get_order: Index Scan, 1 rows examined, 0.2 ms CPU,
// 8 KiB read, ran 1.3 ms, ok".
std::string describe_query(const QueryEvent& q);

// Lock waits and statements of an op (by its id), in time order.
std::vector<const LockWait*> lock_waits_of_op(const Trace& trace, std::int64_t op);
std::vector<const QueryEvent*> queries_of_op(const Trace& trace, std::int64_t op);

// "12.3 GiB", "812 MiB", "4.0 KiB"
std::string format_bytes(double bytes);

} // namespace faultlab::viz
