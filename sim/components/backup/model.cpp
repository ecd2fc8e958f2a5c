#include "components/backup/model.hpp"

#include "history/json_line.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using engine::Envelope;

using namespace backup_detail;

namespace {
constexpr double kMaxParts = 10000; // a file is sent in at most this many parts

std::string bytes(double n) {
  return util::format_bytes(n);
}
} // namespace

BackupModel::BackupModel(const scenario::Backup& spec, DatabaseModel& database, Context& context)
    : spec_(spec), database_(database), context_(context), rng_(context.rng("backup/" + spec.name)) {
  database_node_ = context_.network.node_index(database_.spec().node);
  storage_node_ = context_.network.node_index(spec_.storage);
  restore_node_ = context_.network.node_index(spec_.restore.node);
  storage_ = std::make_unique<Server>(context_, storage_node_, spec_.name);
  staged_ = spec_.staging_bytes > 0;
}

Rpc& BackupModel::rpc_on(int node) {
  auto& rpc = rpcs_[node];
  if (!rpc) rpc = std::make_unique<Rpc>(context_, node, spec_.name);
  return *rpc;
}

void BackupModel::start() {
  storage_->start([this] { serve_storage(); });
  // The job runs on the database's node: it dies with it.
  sg4::Actor::create(spec_.name + ".job", context_.network.host(database_node_), [this] { run_schedule(); });
  if (spec_.restore_test)
    sg4::Actor::create(spec_.name + ".test",
                       context_.network.host(context_.network.node_index(spec_.restore_test->node)),
                       [this] { run_tests(); });
  // A crash of the database's node that no fault ever undoes is the loss of
  // the node and its disk: the data is only where the backups are.
  context_.hooks.on_crash[database_node_].push_back([this] {
    const double now = sg4::Engine::get_clock();
    const scenario::Fault* loss = nullptr;
    for (const auto& f : context_.scenario.faults)
      if (f.type == scenario::Fault::Type::crash && f.node == database_.spec().node && !f.duration_s &&
          std::abs(f.at_s - now) < 1e-9)
        loss = &f;
    if (loss == nullptr || recovering_) return;
    recovering_ = true;
    const std::string why = "the disk of " + database_.spec().node + " is lost (fault " + loss->name +
                            ": a crash with no restart); " + database_.spec().name +
                            " must be restored from a backup";
    const std::int64_t op =
        context_.recorder.invoke(now, 0, spec_.name, "disk_lost", database_.spec().node, std::nullopt);
    context_.recorder.complete(op, now, history::Outcome::ok, std::nullopt, database_.spec().node, why);
    trace_state(database_node_, why);
    sg4::Actor::create(spec_.name + ".restore", context_.network.host(restore_node_),
                       [this, now] { recover(now); });
  });
}

// The object storage: stores uploaded files and hands their parts back.
// Answers are sends, so many downloads are on the wire at once.
void BackupModel::serve_storage() {
  while (true) {
    std::shared_ptr<Envelope> request = storage_->receive();
    if (request->kind == backup_kinds::put_part) {
      storage_->reply(*request, backup_kinds::ack, std::make_unique<StorageAck>(), spec_.message_bytes);
    } else if (request->kind == backup_kinds::put_file) {
      stored_.push_back(request->payload_as<PutFile>().file);
      storage_->reply(*request, backup_kinds::ack, std::make_unique<StorageAck>(), spec_.message_bytes);
    } else if (request->kind == backup_kinds::list) {
      auto answer = std::make_unique<FileList>();
      answer->files = stored_;
      storage_->reply(*request, backup_kinds::file_list, std::move(answer),
                      spec_.message_bytes * static_cast<std::int64_t>(1 + stored_.size()));
    } else if (request->kind == backup_kinds::get_part) {
      const GetPart& get = request->payload_as<GetPart>();
      auto file = std::find_if(stored_.begin(), stored_.end(),
                               [&](const BackupFile& f) { return f.id == get.backup; });
      auto answer = std::make_unique<StorageAck>();
      answer->ok = file != stored_.end();
      const double size = answer->ok ? part_size(*file, get.part) : 0.0;
      storage_->reply(*request, backup_kinds::part, std::move(answer),
                      std::max<std::int64_t>(spec_.message_bytes, static_cast<std::int64_t>(size)));
    }
  }
}

void BackupModel::run_schedule() {
  const double end_s = context_.scenario.workload.duration_s;
  for (std::int64_t id = 1;; ++id) {
    const double start_s = spec_.at_s + static_cast<double>(id - 1) * spec_.every_s +
                           (spec_.jitter_s > 0 ? rng_.uniform(0.0, spec_.jitter_s) : 0.0);
    if (start_s >= end_s) return;
    sg4::this_actor::sleep_until(start_s);
    take_backup(id);
  }
}

double BackupModel::part_size(const BackupFile& file, std::int64_t part) const {
  const double size = std::max(spec_.part_bytes, file.file_bytes / kMaxParts);
  return std::max(0.0, std::min(size, file.file_bytes - static_cast<double>(part) * size));
}

std::int64_t BackupModel::parts_of(double file_bytes) const {
  const double size = std::max(spec_.part_bytes, file_bytes / kMaxParts);
  return static_cast<std::int64_t>(std::ceil(file_bytes / size));
}

bool BackupModel::upload(Rpc& rpc, std::int64_t id, double file_bytes) {
  BackupFile shape;
  shape.file_bytes = file_bytes;
  for (std::int64_t k = 0; k < parts_of(file_bytes); ++k) {
    bool sent = false;
    for (int attempt = 0; attempt < kPartTries && !sent; ++attempt) {
      auto put = std::make_unique<PutPart>();
      put->backup = id;
      put->part = k;
      const auto size = static_cast<std::int64_t>(part_size(shape, k));
      sent =
          rpc.call(storage_node_, spec_.name, engine::envelope(backup_kinds::put_part, std::move(put), size),
                   sg4::Engine::get_clock() + kPartDeadline_s) != nullptr;
    }
    if (!sent) return false;
  }
  return true;
}

// One run of the job: dump, (stage,) upload.
void BackupModel::take_backup(std::int64_t id) {
  const double t0 = sg4::Engine::get_clock();
  BackupFile file;
  file.id = id;
  file.snapshot_s = t0; // pg_dump's snapshot is taken when it starts
  for (const auto& t : database_.table_sizes()) {
    file.tables.push_back({t.name, t.rows, t.row_bytes, t.indexes, 1.0});
    file.data_bytes += t.rows * t.row_bytes;
  }
  sg4::Disk* disk = context_.network.host(database_node_)->get_disks().front();
  Rpc& rpc = rpc_on(database_node_);
  const bool staged = staged_;
  bool uploaded = false;
  std::string dump_status = "0";
  double dump_s = 0;
  // pg_dump reads the tables and writes the file at once; on a staging
  // volume it stops when the volume is full, with an error nobody reads.
  file.file_bytes = staged ? std::min(file.data_bytes, spec_.staging_bytes) : file.data_bytes;
  if (file.file_bytes < file.data_bytes)
    dump_status = "1 (could not write to output file: No space left on device; ignored by the script)";
  // The op's value is the file's size, what the job's log shows.
  const std::int64_t op = context_.recorder.invoke(t0, id, spec_.name, "backup", backup_key(id),
                                                   static_cast<std::int64_t>(file.file_bytes));
  if (staged) {
    sg4::IoPtr read = disk->io_init(static_cast<sg_size_t>(file.file_bytes), sg4::Io::OpType::READ);
    sg4::IoPtr write = disk->io_init(static_cast<sg_size_t>(file.file_bytes), sg4::Io::OpType::WRITE);
    read->start();
    write->start();
    read->wait();
    write->wait();
    dump_s = sg4::Engine::get_clock() - t0;
    uploaded = upload(rpc, id, file.file_bytes);
  } else {
    // Streamed: the upload takes the dump's output as it comes.
    sg4::IoPtr read = disk->io_init(static_cast<sg_size_t>(file.file_bytes), sg4::Io::OpType::READ);
    read->start();
    uploaded = upload(rpc, id, file.file_bytes);
    read->wait();
    dump_s = sg4::Engine::get_clock() - t0;
  }
  // Which tables made it into the file, in dump order (all of them unless it was cut).
  double offset = 0;
  if (file.file_bytes < file.data_bytes)
    for (auto& t : file.tables) {
      const double size = t.rows * t.row_bytes;
      t.present = size <= 0 ? (offset < file.file_bytes ? 1.0 : 0.0)
                            : std::clamp((file.file_bytes - offset) / size, 0.0, 1.0);
      offset += size;
    }
  if (uploaded) {
    auto put = std::make_unique<PutFile>();
    put->file = file;
    uploaded = rpc.call(storage_node_, spec_.name,
                        engine::envelope(backup_kinds::put_file, std::move(put), spec_.message_bytes),
                        sg4::Engine::get_clock() + kPartDeadline_s) != nullptr;
  }
  const double t1 = sg4::Engine::get_clock();
  // The job reports what the script saw: the upload's result, and the file's size.
  if (uploaded)
    context_.recorder.complete(op, t1, history::Outcome::ok, std::nullopt, spec_.storage);
  else
    context_.recorder.complete(op, t1, history::Outcome::fail, std::nullopt, spec_.storage,
                               "upload failed: no answer from the storage node " + spec_.storage);
  if (context_.trace) {
    history::JsonLine line(t1, "backup");
    line.str("node", database_.spec().node)
        .str("component", spec_.name)
        .integer("backup", id)
        .num("snapshot_s", t0)
        .num("data_bytes", std::round(file.data_bytes))
        .num("file_bytes", std::round(file.file_bytes))
        .str("staging", staged ? bytes(spec_.staging_bytes) : "none (streamed)")
        .str("pg_dump_exit", dump_status)
        .num("dump_s", dump_s)
        .num("total_s", t1 - t0)
        .str("outcome", uploaded ? "ok" : "upload failed");
    context_.trace->add(t1, line.done());
  }
}

// Asks the storage for its files, a minute per try, until `until_s`.
std::optional<std::vector<BackupFile>> BackupModel::list_files(Rpc& rpc, double until_s) {
  for (int attempt = 0; attempt < kPartTries || sg4::Engine::get_clock() < until_s; ++attempt) {
    auto answer =
        rpc.call(storage_node_, spec_.name,
                 engine::envelope(backup_kinds::list, std::make_unique<ListFiles>(), spec_.message_bytes),
                 sg4::Engine::get_clock() + 60.0);
    if (answer) return answer->payload_as<FileList>().files;
  }
  return std::nullopt;
}

void BackupModel::trace_state(int node, const std::string& why) {
  if (!context_.trace) return;
  const double t = sg4::Engine::get_clock();
  context_.trace->add(t, history::JsonLine(t, "state")
                             .str("node", context_.network.node_name(node))
                             .str("component", spec_.name)
                             .str("why", why)
                             .done());
}

} // namespace faultlab::model
