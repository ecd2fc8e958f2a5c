// The database's trace events in the trace model, on hand-made lines: lock
// waits paired with the end of their statement, the chain of who waits
// behind whom in words, statements by op, pool waits and sampled levels in
// the metrics, and bad lines (an error naming the line, as for every kind).
#include "trace_fixtures.hpp"

#include "trace_model/lock_waits.hpp"

namespace {

const std::string kDbHeader =
    R"({"format":"faultlab-trace","version":2,"scenario":"atl","variant":"broken","seed":1,"duration_s":10,"nodes":[)"
    R"({"name":"web","roles":["users:clients"],"components":[{"component":"users","type":"clients","role":"clients"}]},)"
    R"({"name":"app-1","roles":["api:instance"],"components":[{"component":"api","type":"service","role":"instance"}]},)"
    R"({"name":"db-1","roles":["db:primary"],"components":[{"component":"db","type":"database","role":"primary"}]}],)"
    R"("clients":[{"name":"users","node":"web","target":"api","sessions":2}],"checks":["availability"]})";

// The alter-table-lock story, small: the report (op 9) holds the table, the
// migration (op 10) waits behind it, get_order (op 11) behind the migration
// until the report ends; place_order (op 12) waits, is granted, waits again
// (for a row) and gives up; op 13's wait is ended by an out-of-memory crash.
const std::string kDbEvents =
    R"JSON({"t":1,"ev":"op","op":11,"type":"invoke","process":0,"client":"users","f":"get_order","key":"order:1"}
{"t":1,"ev":"op","op":12,"type":"invoke","process":1,"client":"users","f":"place_order","key":"order:2"}
{"t":1,"ev":"level","node":"db-1","component":"db","rows":5000,"disk_used":1000,"disk_size":4000,"memory_used":100,"memory_size":800,"connections":2,"running":1,"lock_waiting":0,"cache_hit":0.9}
{"t":2,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders","mode":"ACCESS EXCLUSIVE","who":"migration (op 10) add_column","behind":"report (op 9) report holds ACCESS SHARE","queue":1}
{"t":2.5,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders","mode":"ACCESS SHARE","who":"api (op 11) get_order","behind":"migration (op 10) add_column waits for ACCESS EXCLUSIVE","queue":2}
{"t":2.6,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders","mode":"ROW EXCLUSIVE","who":"api (op 12) place_order","behind":"migration (op 10) add_column waits for ACCESS EXCLUSIVE","queue":3}
{"t":3,"ev":"pool_wait","node":"app-1","component":"api","pool":"db","waited_s":0.5,"outcome":"timeout","in_use":10,"waiting":4,"size":10}
{"t":3.2,"ev":"pool_wait","node":"app-1","component":"api","pool":"db","waited_s":0.1,"outcome":"connection","in_use":10,"waiting":3,"size":10}
{"t":3.5,"ev":"op","op":11,"type":"info","process":0,"client":"users","f":"get_order","key":"order:1","error":"timeout"}
{"t":4,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders row order:2","mode":"ACCESS EXCLUSIVE","who":"api (op 12) place_order","behind":"api (op 8) place_order holds ACCESS EXCLUSIVE","queue":1}
{"t":4.1,"ev":"lock_timeout","node":"db-1","component":"db","lock":"orders row order:2","who":"api (op 12) place_order","waited_s":0.1}
{"t":4.2,"ev":"op","op":12,"type":"fail","process":1,"client":"users","f":"place_order","key":"order:2","error":"lock timeout"}
{"t":5,"ev":"query","node":"db-1","component":"db","query":"add_column","who":"migration","op":10,"rows_examined":0,"plan":"catalog change","cpu_s":0.0001,"io_bytes":0,"run_s":0.001,"outcome":"ok"}
{"t":5.01,"ev":"query","node":"db-1","component":"db","query":"get_order","who":"api","op":11,"rows_examined":1,"plan":"index scan on orders(id)","cpu_s":0.00002,"io_bytes":8192,"run_s":0.002,"outcome":"ok"}
{"t":5.5,"ev":"level","node":"db-1","component":"db","rows":5001,"disk_used":3000,"disk_size":4000,"memory_used":700,"memory_size":800,"connections":9,"running":5,"lock_waiting":3,"cache_hit":0.8}
{"t":6,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders","mode":"ACCESS SHARE","who":"api (op 13) get_order","behind":"api (op 14) get_order waits for ACCESS EXCLUSIVE; x holds ACCESS SHARE; y holds ACCESS SHARE; and 2 more","queue":6}
{"t":7,"ev":"state","node":"db-1","component":"db","why":"out of memory: 9 GiB needed"}
{"t":7.5,"ev":"glitter","node":"db-1"}
{"t":10,"ev":"end","ops":{"ok":0,"fail":1,"info":1,"total":2}}
)JSON";

const LockWait& wait_of(const Trace& t, const std::string& who, const std::string& lock) {
  for (const LockWait& w : t.lock_waits)
    if (w.who == who && w.lock == lock) return w;
  FAIL("no lock wait of " << who << " on " << lock);
  return t.lock_waits.front();
}

} // namespace

TEST_CASE("database events load, and each lock wait ends with its statement") {
  TempDir dir;
  const Trace t = load_trace(dir.write("db.jsonl", kDbHeader + "\n" + kDbEvents));
  CHECK(t.ignored_events == 1); // "glitter": unknown kinds are still skipped
  REQUIRE(t.lock_waits.size() == 5);
  REQUIRE(t.queries.size() == 2);
  REQUIRE(t.pool_waits.size() == 2);
  REQUIRE(t.levels.size() == 1);
  CHECK(t.levels[0].component == "db");
  CHECK(t.levels[0].samples.size() == 2);
  CHECK(t.levels[0].samples[1].disk_used == 3000);
  CHECK(t.levels[0].samples[1].lock_waiting == 3);

  const LockWait& migration = wait_of(t, "migration (op 10) add_column", "orders");
  CHECK(migration.op == 10);
  CHECK(migration.mode == "ACCESS EXCLUSIVE");
  CHECK(migration.end == LockWait::End::query);
  CHECK(migration.t_end_s == 5.0);
  CHECK(migration.lane == t.lane_of("db-1"));

  // The client gave up at 3.5 s; the statement waited on until the report ended.
  const LockWait& get = wait_of(t, "api (op 11) get_order", "orders");
  CHECK(get.end == LockWait::End::query);
  CHECK(get.t_end_s == 5.01);
  REQUIRE(get.query >= 0);
  CHECK(t.queries[static_cast<std::size_t>(get.query)].plan == "index scan on orders(id)");
  CHECK(get.ended == "the statement ran: ok at 5.010 s, after 0.002 s running");

  // A second wait of the same statement: the table lock was granted when it began.
  const LockWait& table = wait_of(t, "api (op 12) place_order", "orders");
  CHECK(table.end == LockWait::End::next_wait);
  CHECK(table.t_end_s == 4.0);
  const LockWait& row = wait_of(t, "api (op 12) place_order", "orders row order:2");
  CHECK(row.end == LockWait::End::timeout);
  CHECK(row.t_end_s == 4.1);
  CHECK(row.ended == "gave up after 0.100 s (lock_timeout or statement_timeout)");

  // The database's incident ends the statements in progress.
  const LockWait& crashed = wait_of(t, "api (op 13) get_order", "orders");
  CHECK(crashed.end == LockWait::End::incident);
  CHECK(crashed.t_end_s == 7.0);
  CHECK(crashed.ended == "ended by the database's incident: out of memory: 9 GiB needed");

  // Indexed on the db node's lane, in rows that do not overlap.
  const Lane& db = t.lanes[t.lane_of("db-1")];
  CHECK(db.lock_waits.size() == 5);
  CHECK(db.lock_rows == 3); // migration, get_order and place_order overlap at 2.6 s
  CHECK(db.subtitle == "db:primary  5 lock waits");
  CHECK(t.lanes[t.lane_of("app-1")].lock_rows == 0);
}

TEST_CASE("an op's lock waits and statements, by its id") {
  TempDir dir;
  const Trace t = load_trace(dir.write("db.jsonl", kDbHeader + "\n" + kDbEvents));
  const auto waits = lock_waits_of_op(t, 12);
  REQUIRE(waits.size() == 2);
  CHECK(waits[0]->lock == "orders");
  CHECK(waits[1]->lock == "orders row order:2");
  const auto queries = queries_of_op(t, 11);
  REQUIRE(queries.size() == 1);
  CHECK(describe_query(*queries[0]) ==
        "get_order: index scan on orders(id), 1 rows examined, 0.0 ms CPU, 8.0 KiB read, ran 2.0 ms, ok");
  CHECK(queries_of_op(t, 12).empty());
  CHECK(queries[0]->statement() == "api (op 11) get_order");
}

TEST_CASE("who a lock wait waits behind, followed through the queue") {
  TempDir dir;
  const Trace t = load_trace(dir.write("db.jsonl", kDbHeader + "\n" + kDbEvents));
  const auto chain = wait_chain(t, wait_of(t, "api (op 11) get_order", "orders"));
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].words == "api (op 11) get_order waits for ACCESS SHARE on orders behind migration (op 10) "
                          "add_column (waits for ACCESS EXCLUSIVE)");
  CHECK(chain[1].words == "which waits behind report (op 9) report (holds ACCESS SHARE)");
  CHECK(chain[1].wait == &wait_of(t, "migration (op 10) add_column", "orders"));

  // A blocker that waits, but whose own wait is not in the trace: the chain stops there.
  const auto alone = wait_chain(t, wait_of(t, "api (op 13) get_order", "orders"));
  REQUIRE(alone.size() == 1);
  CHECK(alone[0].words == "api (op 13) get_order waits for ACCESS SHARE on orders behind api (op 14) get_order "
                          "(waits for ACCESS EXCLUSIVE); x (holds ACCESS SHARE); y (holds ACCESS SHARE) and 2 more");
}

TEST_CASE("a lock wait's behind text, parsed") {
  const Behind b = parse_behind("report (op 9) report holds ACCESS SHARE; job waits for SHARE ROW EXCLUSIVE; "
                                "something else; and 4 more");
  REQUIRE(b.blockers.size() == 2);
  CHECK(b.blockers[0].who == "report (op 9) report");
  CHECK(b.blockers[0].holds);
  CHECK(b.blockers[0].mode == "ACCESS SHARE");
  CHECK(b.blockers[1].who == "job");
  CHECK_FALSE(b.blockers[1].holds);
  CHECK(b.blockers[1].mode == "SHARE ROW EXCLUSIVE");
  CHECK(b.unparsed == std::vector<std::string>{"something else"});
  CHECK(b.more == 4);
  CHECK(parse_behind("").blockers.empty());
}

TEST_CASE("database levels and pool waits in the metrics") {
  TempDir dir;
  const Trace t = load_trace(dir.write("db.jsonl", kDbHeader + "\n" + kDbEvents));
  const Metrics m = compute_metrics(t, 10); // 1 s buckets
  REQUIRE(m.databases.size() == 1);
  const DatabaseSeries& d = m.databases[0];
  CHECK(d.component == "db");
  CHECK(d.disk_size == 4000);
  CHECK(d.memory_size == 800);
  REQUIRE(d.disk_used.size() == 10);
  CHECK(d.disk_used[0] == 0.f);    // before the first sample
  CHECK(d.disk_used[1] == 1000.f); // the sample at 1 s
  CHECK(d.disk_used[4] == 1000.f); // a level holds until the next sample
  CHECK(d.disk_used[5] == 3000.f);
  CHECK(d.disk_used[9] == 3000.f);
  CHECK(d.max_lock_waiting == 3.f);
  CHECK(d.max_connections == 9.f);
  REQUIRE(m.pools.size() == 1);
  CHECK(m.pools[0].service == "api");
  CHECK(m.pools[0].pool == "db");
  CHECK(m.pools[0].waits == 1);
  CHECK(m.pools[0].timeouts == 1);
  CHECK(m.pools[0].size == 10);
  CHECK(m.pools[0].timeouts_per_s[3] == 1.f);
}

TEST_CASE("a bad database line is an error naming its line, on either parser") {
  TempDir dir;
  auto with = [&](const std::string& name, const std::string& line) {
    return dir.write(name, kDbHeader + "\n" + line + "\n" + R"({"t":10,"ev":"end"})" + "\n");
  };
  // Flat lines (the fast path).
  std::string p = with("nolock.jsonl", R"({"t":2,"ev":"lock_wait","node":"db-1","component":"db","who":"x"})");
  CHECK(error_of(p) == p + ":2: missing field \"lock\"");
  p = with("outcome.jsonl",
           R"({"t":2,"ev":"pool_wait","node":"app-1","component":"api","pool":"db","outcome":"maybe"})");
  CHECK(error_of(p) == p + ":2: pool_wait \"outcome\" should be connection or timeout, got \"maybe\"");
  p = with("disk.jsonl", R"({"t":2,"ev":"level","node":"db-1","component":"db","disk_used":"lots"})");
  CHECK(error_of(p) == p + ":2: field \"disk_used\" should be a number, got string");
  // The same mistakes on a line the fast path refuses (a nested field): the same words.
  p = with("nested.jsonl",
           R"({"t":2,"ev":"lock_wait","node":"db-1","component":"db","who":"x","extra":{"a":1}})");
  CHECK(error_of(p) == p + ":2: missing field \"lock\"");
  p = with("nested-disk.jsonl",
           R"({"t":2,"ev":"level","node":"db-1","component":"db","disk_used":"lots","extra":[1]})");
  CHECK(error_of(p) == p + ":2: field \"disk_used\" should be a number, got string");
  // Optional fields may be missing: a level with only its node and component.
  p = with("bare.jsonl", R"({"t":2,"ev":"level","node":"db-1","component":"db"})");
  const Trace t = load_trace(p);
  REQUIRE(t.levels.size() == 1);
  CHECK(t.levels[0].samples[0].disk_size == -1.0);
}

TEST_CASE("a lock wait nothing ends lasts until the trace ends") {
  TempDir dir;
  const std::string p = dir.write(
      "open.jsonl",
      kDbHeader + "\n" +
          R"({"t":2,"ev":"lock_wait","node":"db-1","component":"db","lock":"orders","mode":"ACCESS SHARE","who":"api (op 3) get_order","behind":"","queue":1})" +
          "\n" + R"({"t":9,"ev":"end"})" + "\n");
  const Trace t = load_trace(p);
  REQUIRE(t.lock_waits.size() == 1);
  CHECK(t.lock_waits[0].end == LockWait::End::none);
  CHECK(t.lock_waits[0].t_end_s == 9.0);
  CHECK(t.lock_waits[0].ended == "still waiting when the trace ends");
  CHECK(wait_chain(t, t.lock_waits[0])[0].words ==
        "api (op 3) get_order waits for ACCESS SHARE on orders behind (nobody named)");
}
