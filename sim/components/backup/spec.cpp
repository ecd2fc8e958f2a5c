#include "components/backup/spec.hpp"

#include "components/database/spec.hpp"
#include "scenario/read_helpers.hpp"
#include "util/input_error.hpp"
#include "util/units.hpp"

namespace faultlab::scenario {

using namespace detail; // the shared readers (read_helpers.hpp)
using util::quote;

std::shared_ptr<ComponentSpec> read_backup(const std::string& name, ObjectReader& r,
                                           const Topology& topology) {
  auto spec = std::make_shared<Backup>();
  Backup& b = *spec;
  b.name = name;
  b.type = "backup";
  r.describe(
      {{"database", "the database component whose tables are dumped"},
       {"storage", "the node that holds the backup files (object storage)"},
       {"at", "when the first backup starts"},
       {"every", "how often a backup starts after the first"},
       {"jitter", "each backup starts up to this much later, a uniform draw (a cron job's random delay)"},
       {"staging", "the size of a local volume the dump is written to before the upload; absent: the dump "
                   "streams straight to storage"},
       {"part_size", "the dump is uploaded and downloaded in parts of this size"},
       {"restore", "how the database is restored when its node's disk is lost"},
       {"restore_test", "a periodic test that restores the newest backup on a spare node"}});
  b.database = r.string("database");
  b.storage = read_node(r, topology, "storage");
  b.at_s = r.duration_s_or("at", b.at_s);
  b.every_s = positive_duration(r, "every", b.every_s, "a backup period");
  b.jitter_s = r.duration_s_or("jitter", 0);
  if (b.jitter_s >= b.every_s && !r.probing())
    r.origin().fail("bad-value", r.child("jitter"),
                    "expected a jitter shorter than the period (" + util::format_duration(b.every_s) + ")");
  b.staging_bytes = read_size(r, "staging", 0);
  b.part_bytes = read_size(r, "part_size", b.part_bytes);
  if (b.part_bytes < 1024.0 * 1024 && !r.probing())
    r.origin().fail("bad-value", r.child("part_size"), "expected a part of at least 1MiB");
  {
    ObjectReader s = r.object("restore");
    s.describe({{"node", "the node the database is restored on (a new server)"},
                {"parallelism",
                 "tables and indexes loaded at once (pg_restore --jobs); each is one CPU-bound worker"},
                {"streams", "parallel downloads from the storage, each its own TCP connection"},
                {"limit", "a bandwidth limit on the download (all streams together); absent: none"},
                {"provision", "time from the disk's loss to the restore starting (getting a new server)"}});
    b.restore.node = read_node(s, topology);
    b.restore.parallelism = static_cast<int>(s.integer_or("parallelism", 1, 1, 256));
    b.restore.streams = static_cast<int>(s.integer_or("streams", 1, 1, 64));
    b.restore.limit_Bps = read_bandwidth(s, "limit", 0);
    b.restore.provision_s = s.duration_s_or("provision", 0);
    if (b.restore.node == b.storage && !r.probing())
      r.origin().fail("bad-value", s.child("node"),
                      "the restore node must not be the storage node " + quote(b.storage));
    s.finish();
  }
  if (r.find("restore_test")) {
    ObjectReader t = r.object("restore_test");
    t.describe(
        {{"node", "the spare node the test restores on"},
         {"at", "the first test"},
         {"every", "how often the newest backup is restored as a test"},
         {"respond", "from a failed test to the backup job being fixed (the dump then streams to storage)"}});
    Backup::RestoreTest test;
    test.node = read_node(t, topology);
    test.at_s = t.duration_s_or("at", 0);
    test.every_s = positive_duration(t, "every", test.every_s, "a test period");
    test.respond_s = t.duration_s_or("respond", test.respond_s);
    if (test.node == b.storage && !r.probing())
      r.origin().fail("bad-value", t.child("node"),
                      "the test node must not be the storage node " + quote(b.storage));
    t.finish();
    b.restore_test = test;
  }
  b.message_bytes = read_message_size(r, b.message_bytes);
  return spec;
}

void Backup::check_references(const Scenario& scenario, const Origin& origin) const {
  const std::string here = pointer_append("/components", name);
  const auto* db = dynamic_cast<const Database*>(scenario.component(database));
  if (db == nullptr) {
    const auto databases = scenario.names_of_type("database");
    origin.fail("unknown-component", here + "/database",
                quote(database) + " is not a database of this scenario (databases: " +
                    (databases.empty() ? std::string("none") : join(databases)) + ")");
  }
  // A copy on the disk that is lost is no backup.
  if (storage == db->node)
    origin.fail("bad-value", here + "/storage",
                "the storage must be another node than the database's " + quote(db->node) +
                    " (its disk is what is lost)");
  if (restore.node == db->node)
    origin.fail("bad-value", here + "/restore/node",
                "the restore needs another node than the database's " + quote(db->node) +
                    " (its disk is lost)");
  if (restore_test && restore_test->node == db->node)
    origin.fail("bad-value", here + "/restore_test/node",
                "the test restores on a spare node, not on the database's " + quote(db->node));
}

std::vector<NodeRole> Backup::node_roles() const {
  std::vector<NodeRole> roles{{storage, "backup storage"}, {restore.node, "restore"}};
  if (restore_test && restore_test->node != restore.node)
    roles.push_back({restore_test->node, "restore test"});
  return roles;
}

ClientRules Backup::client_rules() const {
  ClientRules rules;
  rules.not_a_target = quote(name) + " is a backup job; clients use the database it backs up";
  return rules;
}

void Backup::add_to_design(topo::Design& design, const Scenario& scenario) const {
  (void)scenario;
  design.components.push_back(
      topo::Component{name, type, {storage}, topo::Needs::all, {topo::Dependency{database, false, "dump"}}});
}

std::string Backup::analyze_note() const {
  return "copies of " + database + " on " + storage + "; a restore loads them on " + restore.node;
}

} // namespace faultlab::scenario
