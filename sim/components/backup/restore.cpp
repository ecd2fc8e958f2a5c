// The restore (after the disk's loss, and as a test): which files, the
// download, and pg_restore's workers. See model.hpp.
#include "components/backup/model.hpp"

#include "history/json_line.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;
using namespace backup_detail;

namespace {
constexpr double kArchiveHeader_bytes = 5; // pg_restore reads this much before anything else
} // namespace

// After the disk's loss: the newest file taken before it, then older ones,
// until one restores.
void BackupModel::recover(double lost_s) {
  if (spec_.restore.provision_s > 0) sg4::this_actor::sleep_for(spec_.restore.provision_s);
  trace_state(restore_node_, "restoring " + database_.spec().name + " on " + spec_.restore.node);
  // Whoever restores keeps asking until the storage answers (or the run ends).
  auto files = list_files(rpc_on(restore_node_), context_.scenario.workload.duration_s);
  std::vector<BackupFile> candidates;
  if (files)
    for (const auto& f : *files)
      if (f.snapshot_s < lost_s) candidates.push_back(f);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const BackupFile& a, const BackupFile& b) { return a.snapshot_s > b.snapshot_s; });
  for (const auto& file : candidates) {
    const std::int64_t op = context_.recorder.invoke(sg4::Engine::get_clock(), 0, spec_.name, "restore",
                                                     backup_key(file.id), std::nullopt);
    const Attempt attempt = restore_file(restore_node_, file);
    context_.recorder.complete(op, sg4::Engine::get_clock(),
                               attempt.error.empty() ? history::Outcome::ok : history::Outcome::fail,
                               std::nullopt, spec_.restore.node, attempt.error);
    trace_restore("restore", restore_node_, file, attempt);
    if (attempt.error.empty()) {
      trace_state(restore_node_, database_.spec().name + " restored from " + backup_key(file.id) +
                                     " (data as of " + when(file.snapshot_s) + ")");
      return;
    }
  }
  trace_state(restore_node_,
              files ? "no backup of " + database_.spec().name + " could be restored"
                    : "the storage node " + spec_.storage + " did not answer: nothing to restore");
}

void BackupModel::run_tests() {
  const scenario::Backup::RestoreTest& test = *spec_.restore_test;
  const int node = context_.network.node_index(test.node);
  const double end_s = context_.scenario.workload.duration_s;
  bool fix_scheduled = false;
  for (std::int64_t k = 0;; ++k) {
    const double at_s = test.at_s + static_cast<double>(k) * test.every_s;
    if (at_s >= end_s) return;
    sg4::this_actor::sleep_until(std::max(at_s, sg4::Engine::get_clock()));
    auto files = list_files(rpc_on(node), 0);
    if (!files || files->empty()) continue;
    const BackupFile newest = files->back();
    const std::int64_t op = context_.recorder.invoke(sg4::Engine::get_clock(), k, spec_.name, "restore_test",
                                                     backup_key(newest.id), std::nullopt);
    const Attempt attempt = restore_file(node, newest);
    context_.recorder.complete(op, sg4::Engine::get_clock(),
                               attempt.error.empty() ? history::Outcome::ok : history::Outcome::fail,
                               std::nullopt, test.node, attempt.error);
    trace_restore("test", node, newest, attempt);
    if (attempt.error.empty() || fix_scheduled || !staged_) continue;
    // Someone reads the failed test and fixes the job.
    fix_scheduled = true;
    sg4::Actor::create(spec_.name + ".fix", sg4::this_actor::get_host(), [this, test] {
      sg4::this_actor::sleep_for(test.respond_s);
      staged_ = false;
      const double now = sg4::Engine::get_clock();
      const std::string what = "the restore test failed; the job now streams pg_dump straight to storage (no "
                               "staging volume) and a failed dump fails the backup";
      const std::int64_t fix =
          context_.recorder.invoke(now, 0, spec_.name, "fix", "backup-job", std::nullopt);
      context_.recorder.complete(fix, now, history::Outcome::ok, std::nullopt, test.node, what);
      trace_state(context_.network.node_index(test.node), what);
    });
  }
}

BackupModel::Attempt BackupModel::restore_file(int node, const BackupFile& file) {
  Attempt attempt;
  const double t0 = sg4::Engine::get_clock();
  attempt.error = download(node, file);
  attempt.download_s = sg4::Engine::get_clock() - t0;
  if (!attempt.error.empty()) return attempt;
  const double t1 = sg4::Engine::get_clock();
  attempt.error = load(node, file);
  attempt.load_s = sg4::Engine::get_clock() - t1;
  return attempt;
}

// `streams` downloaders take the parts in order; with a `limit`, each part
// waits for its turn on a shared pacing clock (part bytes / limit apart).
std::string BackupModel::download(int node, const BackupFile& file) {
  struct Shared {
    std::int64_t next = 0;
    std::int64_t parts = 0;
    double paced_until_s = 0;
    std::string error;
    BackupFile file;
  };
  auto shared = std::make_shared<Shared>();
  shared->parts = parts_of(file.file_bytes);
  shared->paced_until_s = sg4::Engine::get_clock();
  shared->file = file;
  std::vector<sg4::ActorPtr> streams;
  const auto count = std::min<std::int64_t>(spec_.restore.streams, shared->parts);
  for (std::int64_t s = 0; s < count; ++s)
    streams.push_back(
        sg4::Actor::create(spec_.name + ".download", context_.network.host(node), [this, node, shared] {
          Rpc& rpc = rpc_on(node);
          while (shared->error.empty() && shared->next < shared->parts) {
            const std::int64_t k = shared->next++;
            const double size = part_size(shared->file, k);
            if (spec_.restore.limit_Bps > 0) {
              const double start_s = std::max(sg4::Engine::get_clock(), shared->paced_until_s);
              shared->paced_until_s = start_s + size / spec_.restore.limit_Bps;
              sg4::this_actor::sleep_until(start_s);
            }
            std::unique_ptr<Envelope> answer;
            for (int attempt = 0; attempt < kPartTries && !answer; ++attempt) {
              auto get = std::make_unique<GetPart>();
              get->backup = shared->file.id;
              get->part = k;
              answer = rpc.call(storage_node_, spec_.name,
                                engine::envelope(backup_kinds::get_part, std::move(get), spec_.message_bytes),
                                sg4::Engine::get_clock() + kPartDeadline_s);
            }
            if (!shared->error.empty()) continue;
            if (!answer)
              shared->error =
                  "download of " + backup_key(shared->file.id) + " failed: no answer from " + spec_.storage;
            else if (!answer->payload_as<StorageAck>().ok)
              shared->error = "download of " + backup_key(shared->file.id) + " failed: not in the storage";
          }
        }));
  for (auto& s : streams)
    s->join();
  return shared->error;
}

// pg_restore: table data first (largest first with several workers, in
// the file's order with one), then the indexes; the first error stops it.
std::string BackupModel::load(int node, const BackupFile& file) {
  // A whole file always has its header (an empty database still dumps its schema); a cut one may not.
  if (file.file_bytes < file.data_bytes && file.file_bytes < kArchiveHeader_bytes)
    return "pg_restore: error: input file is too short (read " +
           std::to_string(static_cast<long long>(file.file_bytes)) + ", expected 5)";
  const scenario::Database& db = database_.spec();
  struct Item {
    std::string what;
    double cpu_s = 0;
    double write_bytes = 0;
    bool cut = false; // the file ends in it
  };
  struct Pool {
    std::vector<Item> items;
    std::size_t next = 0;
    std::string error;
    std::vector<sg4::ActivityPtr> current; // per worker
  };
  const int workers = spec_.restore.parallelism;
  auto run = [&](std::vector<Item> items) -> std::string {
    if (workers > 1)
      std::stable_sort(items.begin(), items.end(),
                       [](const Item& a, const Item& b) { return a.cpu_s > b.cpu_s; });
    auto pool = std::make_shared<Pool>();
    pool->items = std::move(items);
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(workers), pool->items.size());
    pool->current.resize(n);
    std::vector<sg4::ActorPtr> actors;
    for (std::size_t w = 0; w < n; ++w)
      actors.push_back(sg4::Actor::create(spec_.name + ".worker", context_.network.host(node), [pool, w] {
        sg4::Host* host = sg4::this_actor::get_host();
        auto finish = [&](sg4::ActivityPtr activity) {
          pool->current[w] = activity;
          try {
            activity->wait();
          } catch (const simgrid::CancelException&) {
            pool->current[w] = nullptr;
            return false;
          }
          pool->current[w] = nullptr;
          return true;
        };
        while (pool->error.empty() && pool->next < pool->items.size()) {
          const Item item = pool->items[pool->next++];
          if (item.cpu_s > 0 &&
              !finish(sg4::this_actor::exec_init(item.cpu_s * host->get_pstate_speed(0))->start()))
            return;
          if (item.write_bytes >= 1 &&
              !finish(host->get_disks()
                          .front()
                          ->io_init(static_cast<sg_size_t>(item.write_bytes), sg4::Io::OpType::WRITE)
                          ->start()))
            return;
          if (!item.cut) continue;
          if (!pool->error.empty()) return;
          // --exit-on-error: the other workers stop where they are.
          pool->error =
              "pg_restore: error: could not read from input file: end of file (in " + item.what + ")";
          std::vector<sg4::ActivityPtr> others;
          for (auto& a : pool->current)
            if (a) others.push_back(a);
          for (auto& a : others)
            a->cancel();
          return;
        }
      }));
    for (auto& a : actors)
      a->join();
    return pool->error;
  };
  std::vector<Item> data;
  for (const auto& t : file.tables) {
    const double rows = t.rows * t.present;
    data.push_back(
        {"the data of table " + t.name, rows * db.write_per_row_s, rows * t.row_bytes, t.present < 1.0});
  }
  if (std::string error = run(data); !error.empty()) return error;
  // CREATE INDEX: a scan of the rows and a sort of their keys, as the database's own index builds.
  std::vector<Item> indexes;
  for (const auto& t : file.tables)
    for (int i = 0; i < t.indexes; ++i)
      indexes.push_back({"index " + std::to_string(i + 1) + " of " + t.name,
                         (t.rows + t.rows * std::log2(std::max(2.0, t.rows)) / 8) * db.cpu_per_row_s,
                         t.rows * db.index_entry_bytes, false});
  return run(indexes);
}

void BackupModel::trace_restore(const std::string& purpose, int node, const BackupFile& file,
                                const Attempt& attempt) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  history::JsonLine line(t, "restore");
  line.str("node", context_.network.node_name(node))
      .str("component", spec_.name)
      .str("purpose", purpose)
      .integer("backup", file.id)
      .num("snapshot_s", file.snapshot_s)
      .num("file_bytes", std::round(file.file_bytes))
      .num("data_bytes", std::round(file.data_bytes))
      .integer("streams", spec_.restore.streams)
      .integer("parallelism", spec_.restore.parallelism)
      .num("download_s", attempt.download_s)
      .num("load_s", attempt.load_s)
      .str("outcome", attempt.error.empty() ? "ok" : attempt.error);
  context_.trace->add(t, line.done());
}

} // namespace faultlab::model
