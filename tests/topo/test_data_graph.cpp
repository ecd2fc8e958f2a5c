// Data graphs on small hand-made models whose numbers can be worked out by
// hand: what a DELETE reaches through CASCADE, where RESTRICT refuses it,
// the rows SET NULL updates, the rows examined with and without an index on
// the referencing column, the longest chain; and which copies of a person's
// data an erasure reaches.
#include "topo/data_graph.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

using namespace faultlab::topo;

namespace {

// 10 organizations; per organization 10 users and 5 invoices; per user 10
// posts and 20 audit rows; per post 5 likes (likes.post_id has no index).
DataModel forum(OnDelete invoices_rule = OnDelete::cascade) {
  DataModel m;
  m.tables = {{"orgs", 10, ""},  {"users", 100, ""}, {"posts", 1000, ""},
              {"likes", 5000, ""}, {"invoices", 50, "10 years"}, {"audit", 2000, ""}};
  m.keys = {{"users", "org_id", "orgs", OnDelete::cascade, true},
            {"posts", "user_id", "users", OnDelete::cascade, true},
            {"likes", "post_id", "posts", OnDelete::cascade, false},
            {"invoices", "org_id", "orgs", invoices_rule, true},
            {"audit", "user_id", "users", OnDelete::set_null, false}};
  return m;
}

const TableReach& reach_of(const CascadeResult& r, const std::string& table) {
  for (const auto& t : r.reach)
    if (t.table == table) return t;
  FAIL("table " << table << " not reached");
  throw std::logic_error("unreachable");
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("a DELETE of one organization reaches each table through CASCADE, by the row counts") {
  const CascadeResult r = cascade(forum(), "orgs", 1);
  CHECK_FALSE(r.refused_by);
  CHECK(reach_of(r, "orgs").rows_deleted == Approx(1));
  CHECK(reach_of(r, "users").rows_deleted == Approx(10));
  CHECK(reach_of(r, "posts").rows_deleted == Approx(100));
  CHECK(reach_of(r, "likes").rows_deleted == Approx(500));
  CHECK(reach_of(r, "invoices").rows_deleted == Approx(5));
  // SET NULL updates the audit rows of the 10 users and keeps them.
  CHECK(reach_of(r, "audit").rows_deleted == 0);
  CHECK(reach_of(r, "audit").rows_set_null == Approx(200));
  CHECK(r.rows_deleted() == Approx(616));
  CHECK(reach_of(r, "likes").depth == 3);
  CHECK(reach_of(r, "likes").via == "likes.post_id");
  CHECK(r.longest == std::vector<std::string>{"orgs", "users", "posts", "likes"});
}

TEST_CASE("rows examined: an index lookup per parent row, or a scan of the whole child per parent row") {
  const CascadeResult r = cascade(forum(), "orgs", 1);
  // posts.user_id is indexed: 10 lookups of log2(1000) plus the 100 rows found.
  CHECK(reach_of(r, "posts").rows_examined == Approx(10 * std::log2(1000.0) + 100));
  // likes.post_id is not: each of the 100 posts scans all 5,000 likes.
  CHECK(reach_of(r, "likes").rows_examined == Approx(500000));
  CHECK(reach_of(r, "audit").rows_examined == Approx(10 * 2000));
}

TEST_CASE("RESTRICT refuses the whole DELETE when referencing rows exist") {
  const CascadeResult r = cascade(forum(OnDelete::restrict), "orgs", 1);
  REQUIRE(r.refused_by);
  CHECK(r.refused_by->child == "invoices");
  CHECK(r.refused_rows == Approx(5));
  const std::string text = render_cascade_text(r, "delete one org");
  CHECK(has(text, "  refused: 5 rows of invoices still reference orgs (invoices.org_id ON DELETE RESTRICT); "
                  "the statement fails and nothing is deleted\n"));
  CHECK_FALSE(has(text, "must be kept"));
  // Rows already removed by an explicit cleanup do not stop it.
  const CascadeResult cleaned = cascade(forum(OnDelete::restrict), "orgs", 1, {"invoices.org_id", "users.org_id"});
  CHECK_FALSE(cleaned.refused_by);
  CHECK(cleaned.rows_deleted() == Approx(1));
}

TEST_CASE("the cascade report names every table, the longest chain and the kept table it deletes from") {
  const CascadeResult r = cascade(forum(), "orgs", 1);
  const std::string text = render_cascade_text(r, "delete one org");
  CHECK(has(text, "delete one org\n  deletes 616 rows in 5 tables, sets 200 rows to NULL, examines"));
  CHECK(has(text, "    likes                  deletes 500 rows                   via likes.post_id, 500,000 rows examined\n"));
  CHECK(has(text, "    audit                  sets 200 rows to NULL              via audit.user_id"));
  CHECK(has(text, "  longest cascade chain (3 steps): orgs → users → posts → likes\n"));
  CHECK(has(text, "  must be kept: invoices (10 years), and this DELETE removes 5 rows of it\n"));

  const std::string dot = render_cascade_dot(forum(), r, "forum");
  CHECK(has(dot, "digraph \"forum\" {"));
  CHECK(has(dot, "\"posts\" -> \"likes\" [label=\"post_id\\nCASCADE\\n(no index)\", penwidth=3];"));
  CHECK(has(dot, "\"users\" -> \"audit\" [label=\"user_id\\nSET NULL\\n(no index)\", style=dashed];"));
  CHECK(has(dot, "\"invoices\" [label=\"invoices\\n50 rows\\n-5 deleted\\nkeep: 10 years\", fillcolor=\"#ea9999\"]"));
  CHECK(has(dot, "\"orgs\" [label=\"orgs\\n10 rows\\n-1 deleted\", fillcolor=\"#f9cb9c\", penwidth=3]"));
}

TEST_CASE("a DELETE from a leaf table reaches nothing else") {
  const CascadeResult r = cascade(forum(), "likes", 1);
  REQUIRE(r.reach.size() == 1);
  CHECK(r.rows_deleted() == Approx(1));
  CHECK(r.longest == std::vector<std::string>{"likes"});
  CHECK_FALSE(has(render_cascade_text(r, "t"), "longest"));
}

TEST_CASE("foreign keys in a cycle or to an unknown table are refused") {
  DataModel m = forum();
  m.keys.push_back({"orgs", "owner_id", "users", OnDelete::cascade, true});
  CHECK_THROWS_WITH(validate(m), "the foreign keys form a cycle: a cascade would not end; break it with SET NULL on one of them");
  DataModel self = forum();
  self.keys.push_back({"posts", "reply_to", "posts", OnDelete::cascade, true});
  CHECK_THROWS_WITH(validate(self), "the foreign keys form a cycle (posts → posts): a cascade would not end; break it "
                                    "with SET NULL on one of them");
  DataModel unknown = forum();
  unknown.keys.push_back({"posts", "tag_id", "tags", OnDelete::cascade, true});
  CHECK_THROWS_WITH(validate(unknown), "no table \"tags\"");
  CHECK_NOTHROW(validate(forum()));
}

TEST_CASE("an erasure reaches the stores it covers, and the others keep their copy or age out") {
  std::vector<DataStore> stores = {
      {"db", "database", {}, true, std::nullopt, false},
      {"analytics", "warehouse", {"db"}, false, std::nullopt, false},
      {"backups", "backup", {"db"}, false, 35 * 86400.0, true},
      {"logs", "logs", {"db"}, false, 14 * 86400.0, false},
      {"keys", "key store", {}, false, std::nullopt, false},
      {"unused", "cache", {"nowhere-yet"}, false, std::nullopt, false},
  };
  stores.pop_back(); // (a flow from an unknown store is refused, below)
  const double month = 30 * 86400.0;
  std::vector<ErasureReach> r = erasure_reach(stores, month, "");
  REQUIRE(r.size() == 5);
  CHECK(r[0].cleared_by_deadline);
  CHECK(r[0].how == "erased by the job");
  CHECK_FALSE(r[1].cleared_by_deadline); // nothing erases the warehouse
  CHECK(r[1].how == "missed; kept until someone deletes it");
  CHECK_FALSE(r[2].cleared_by_deadline); // 35 days of backups outlive 30
  CHECK(r[3].cleared_by_deadline);       // 14 days of logs do not
  const std::string text = render_erasure_text(stores, r, month, "erase");
  CHECK(has(text, "    LATE backups            backup       missed; ages out 35 days after its last copy   from db\n"));
  // The warehouse, the backups, and the key store nobody erases (a key is personal data too).
  CHECK(has(text, "  3 copies outlive the deadline\n"));
  CHECK(has(render_erasure_dot(stores, r, "erase"), "\"db\" -> \"backups\";"));

  // Crypto-shredding: the job deletes the person's key, the encrypted backups become unreadable.
  stores[4].covered = true;
  r = erasure_reach(stores, month, "keys");
  CHECK(r[2].cleared_by_deadline);
  CHECK(r[2].how == "unreadable: its key in keys is deleted");

  stores.push_back({"cache", "cache", {"nowhere"}, false, std::nullopt, false});
  CHECK_THROWS_WITH(erasure_reach(stores, month, ""), "no store \"nowhere\"");
}
