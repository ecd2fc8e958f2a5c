// Backups of a database, and the restore after its disk is lost.
//
// A nightly job dumps the database (pg_dump-like: a logical dump, so the
// file holds each table's rows and no index data) and uploads the file to
// object storage on another node. Nothing here is a made-up duration: the
// dump's size is the tables' rows times their row size at that moment, its
// time is reading them through the node's disk and sending the bytes over
// the link to the storage node; a restore downloads the file over the link
// (one TCP stream or several, optionally paced by a bandwidth limit), then
// loads the rows and rebuilds the indexes with CPU on the restore node's
// cores, one table or index per worker.
//
// What goes wrong is a mechanism too: with a `staging` volume the dump is
// first written to a local disk of that size, and a database that outgrew
// it gives a truncated file (pg_dump fails with "No space left on device",
// the script ignores its exit status and uploads what is there). Such a
// file is only found out when someone restores it. A periodic restore test
// does that on a spare node; when it fails, someone fixes the job
// (`respond` later): the dump then streams straight to storage and a failed
// dump fails the upload.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct Backup : ComponentSpec {
  struct Restore {
    std::string node;
    int parallelism = 1;    // pg_restore --jobs: tables and indexes loaded at once
    int streams = 1;        // parallel downloads (TCP connections) from the storage
    double limit_Bps = 0;   // bandwidth limit of the download (0: none)
    double provision_s = 0; // from the disk's loss to the restore starting (a new server)
  };
  struct RestoreTest {
    std::string node;
    double at_s = 0;
    double every_s = 7 * 86400.0;
    double respond_s = 86400.0; // from a failed test to the fixed backup job
  };

  std::string database;     // a database component
  std::string storage;      // the node that holds the backup files
  double at_s = 3600;       // the first backup
  double every_s = 86400;   // then one this often
  double jitter_s = 0;      // each starts up to this much later (a cron with a random delay)
  double staging_bytes = 0; // the local volume the dump is written to first; 0: none (streamed)
  double part_bytes = 1024.0 * 1024 * 1024; // upload and download in parts of this size
  Restore restore;
  std::optional<RestoreTest> restore_test;
  std::int64_t message_bytes = 512;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override { return {}; }
  ClientRules client_rules() const override;
  void check_references(const Scenario& scenario, const Origin& origin) const override;
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_note() const override;
};

// Reads one component of this type from `r` (its "type" already read).
std::shared_ptr<ComponentSpec> read_backup(const std::string& name, ObjectReader& r,
                                           const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
// Registers the type: its scenario reader and its model.
void register_backup();
} // namespace faultlab::components
