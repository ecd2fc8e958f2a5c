// stale_cache: a cache kept answering with a value older than a write the
// database had already acknowledged, for longer than the cache may lag.
//
// This is the classic missed invalidation: the price was changed, the
// database said "done", and the cache went on selling at the old price for
// minutes, to every user who asked. One stale answer is noise; what hurts in
// production is how long it lasted and how many people saw it, so stale
// reads are grouped into one episode per cache node, key, old value and the
// write that made it old, and the violation says how long and how many.
//
// "Older than a write" means what it means for stale_read: every write that
// could have produced the value preceded that write, for any reading of the
// info writes.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "check/checker.hpp"
#include "check/describe.hpp"

namespace faultlab::check {
namespace {

using history::Op;
using history::Outcome;

bool earlier(const Op& a, const Op& b) {
  return a.invoke_s != b.invoke_s ? a.invoke_s < b.invoke_s : a.id < b.id;
}

// The stale reads beyond the bound that one cache served for one old value.
struct Episode {
  const Op* newer = nullptr; // the acknowledged write the value is older than
  const Op* first = nullptr; // by invoke time
  const Op* last = nullptr;
  std::size_t reads = 0;
};

Violation describe(const Episode& episode) {
  const Op& newer = *episode.newer;
  const Op& first = *episode.first;
  const Op& last = *episode.last;
  Violation violation;
  violation.check = "stale_cache";
  violation.time_s = first.invoke_s;
  violation.ops = {newer.id, first.id};
  if (episode.reads > 1) violation.ops.push_back(last.id);

  const std::string cache = first.node.empty() ? "the cache" : first.node;
  const std::string when =
      episode.reads == 1 ? "1 read at " + format_time(first.invoke_s) + " got the old value"
                         : std::to_string(episode.reads) + " reads between " + format_time(first.invoke_s) +
                               " and " + format_time(last.invoke_s) + " got the old value";
  violation.message = cache + " kept serving " + format_assignment(first.key, first.value) + " for " +
                      format_time(last.invoke_s - newer.complete_s) + " after " +
                      format_assignment(newer.key, newer.value) + " was acknowledged at " +
                      format_time(newer.complete_s) + ": " + when;
  return violation;
}

} // namespace

std::vector<Violation> check_stale_cache(const history::History& history, const CheckOptions& options) {
  const KeyIndex keys(history);
  const std::vector<AckedWrites> by_key = acked_writes_by_key(history, keys);
  const std::set<std::string> cache_nodes(options.cache_nodes.begin(), options.cache_nodes.end());

  // Keyed by (node, key, value, newer write): std::map keeps the order stable.
  using EpisodeKey = std::tuple<std::string, std::string, std::optional<std::int64_t>, std::int64_t>;
  std::map<EpisodeKey, Episode> episodes;
  for (const Op& read : history.ops) {
    if (!read.is_read() || read.outcome != Outcome::ok || read.final_read) continue;
    if (!cache_nodes.empty() && cache_nodes.count(read.node) == 0) continue; // not a cache hit
    const Op* newer = first_newer_write(read, keys, by_key);
    if (newer == nullptr || !(read.invoke_s - newer->complete_s > options.stale_bound_s)) continue;

    Episode& episode = episodes[{read.node, read.key, read.value, newer->id}];
    episode.newer = newer;
    if (episode.first == nullptr || earlier(read, *episode.first)) episode.first = &read;
    if (episode.last == nullptr || earlier(*episode.last, read)) episode.last = &read;
    ++episode.reads;
  }

  std::vector<Violation> violations;
  for (const auto& [key, episode] : episodes)
    violations.push_back(describe(episode));
  sort_violations(violations);
  return violations;
}

} // namespace faultlab::check
