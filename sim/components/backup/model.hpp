// The backup job, the object storage and the restore, as SimGrid actors.
//
//  - The job runs on the database's node on its schedule. It reads the
//    tables through the node's disk (rows x row size, as they are at that
//    moment: a logical dump holds no index data), writes the file to the
//    staging volume if there is one (at most its size: a bigger database
//    gives a cut file, and the script uploads it anyway), and uploads it to
//    the storage node part after part over the link. The history gets one
//    `backup` op per run (value: the file's bytes).
//  - The storage keeps what was uploaded and serves it back part by part.
//  - When the database's node is lost for good (a crash fault without a
//    restart), a restore starts on the restore node: it lists the files,
//    downloads the newest one taken before the loss with `streams`
//    downloads at once (each a TCP stream, so one alone is held back by the
//    link's latency as well as its bandwidth; all of them paced by `limit`),
//    then loads it with `parallelism` workers: first each table's rows (CPU
//    per row written, and the bytes through the node's disk), then each
//    index (a sort of the table's rows). A cut file fails when a worker
//    reaches its end, and the restore falls back to the file before. The
//    history gets `disk_lost` and one `restore` op per file tried. The
//    database component itself does not move to the restore node: the
//    restore's success is the recovery, as the checkers read it.
//  - A restore test does the same on a spare node with the newest file,
//    every so often (`restore_test` ops); a failed test leads to the fix.
#pragma once

#include "components/backup/spec.hpp"
#include "components/database/model.hpp"
#include "engine/message.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::model {

namespace backup_detail {
constexpr double kPartDeadline_s = 6 * 3600.0; // a part that has not arrived after this is asked for again
constexpr int kPartTries = 3;

inline std::string backup_key(std::int64_t id) {
  return "backup-" + std::to_string(id);
}

// "day 20, 01:23" (day 0 is the run's first).
inline std::string when(double seconds) {
  const auto minutes = static_cast<long long>(seconds / 60);
  char text[64];
  std::snprintf(text, sizeof text, "day %lld, %02lld:%02lld", minutes / 1440, minutes / 60 % 24,
                minutes % 60);
  return text;
}
} // namespace backup_detail

// One table's part of a backup file.
struct ArchivedTable {
  std::string name;
  double rows = 0;
  double row_bytes = 0;
  int indexes = 0;
  double present = 1.0; // the share of its rows in the file: below 1, the file ends in (or before) this table
};

// A backup file as the storage holds it.
struct BackupFile {
  std::int64_t id = 0;
  double snapshot_s = 0; // the dump's snapshot: its data is as of this time
  double data_bytes = 0; // what the tables held then
  double file_bytes = 0; // what was written and uploaded
  std::vector<ArchivedTable> tables;
};

struct PutPart final : engine::Payload {
  std::int64_t backup = 0;
  std::int64_t part = 0;
};
struct PutFile final : engine::Payload {
  BackupFile file;
};
struct ListFiles final : engine::Payload {};
struct FileList final : engine::Payload {
  std::vector<BackupFile> files;
};
struct GetPart final : engine::Payload {
  std::int64_t backup = 0;
  std::int64_t part = 0;
};
struct StorageAck final : engine::Payload {
  bool ok = true;
};

namespace backup_kinds {
inline const engine::MessageKind put_part = engine::message_kind<PutPart>("backup_put_part");
inline const engine::MessageKind put_file = engine::message_kind<PutFile>("backup_put_file");
inline const engine::MessageKind list = engine::message_kind<ListFiles>("backup_list");
inline const engine::MessageKind file_list = engine::message_kind<FileList>("backup_file_list");
inline const engine::MessageKind get_part = engine::message_kind<GetPart>("backup_get_part");
inline const engine::MessageKind part = engine::message_kind<StorageAck>("backup_part");
inline const engine::MessageKind ack = engine::message_kind<StorageAck>("backup_ack");
} // namespace backup_kinds

class BackupModel : public ComponentModel {
public:
  BackupModel(const scenario::Backup& spec, DatabaseModel& database, Context& context);
  void start() override;

  // One restore of one file: "" when it worked, else pg_restore's error.
  struct Attempt {
    std::string error;
    double download_s = 0;
    double load_s = 0;
  };

private:
  void serve_storage();
  void run_schedule();
  void take_backup(std::int64_t id);
  bool upload(Rpc& rpc, std::int64_t id, double bytes);
  void recover(double lost_s);
  void run_tests();
  Attempt restore_file(int node, const BackupFile& file);
  std::string download(int node, const BackupFile& file);
  std::string load(int node, const BackupFile& file);
  std::optional<std::vector<BackupFile>> list_files(Rpc& rpc, double until_s);
  Rpc& rpc_on(int node);
  std::int64_t parts_of(double bytes) const;
  double part_size(const BackupFile& file, std::int64_t part) const;
  void trace_restore(const std::string& purpose, int node, const BackupFile& file, const Attempt& attempt);
  void trace_state(int node, const std::string& why);

  const scenario::Backup& spec_;
  DatabaseModel& database_;
  Context& context_;
  int database_node_ = -1;
  int storage_node_ = -1;
  int restore_node_ = -1;
  std::unique_ptr<Server> storage_;
  util::Rng rng_;
  bool staged_ = false;                      // the dump goes through the staging volume (until the fix)
  std::vector<BackupFile> stored_;           // on the storage node, in upload order
  std::map<int, std::unique_ptr<Rpc>> rpcs_; // per node index
  bool recovering_ = false;
};

} // namespace faultlab::model
