// `faultlab run --profile`: latency per user class and endpoint, and time
// per dependency, from a hand-made trace whose numbers are known and from a
// real run of the shared-database scenario.
#include "../support/run_support.hpp"
#include "analysis/profile.hpp"

#include <catch2/catch.hpp>

#include <numeric>
#include <sstream>

using namespace faultlab;
using faultlab::testing::read_text;
using faultlab::testing::shell;
using faultlab::testing::source_path;
using faultlab::testing::temp_dir;

namespace {
const nlohmann::json kNodes = nlohmann::json::parse(R"([
  {"name":"web","components":[{"component":"mobile","type":"clients","role":"clients"}]},
  {"name":"svc-1","components":[{"component":"shop","type":"service","role":"instance"}]},
  {"name":"db-1","components":[{"component":"db","type":"database","role":"primary"}]}])");

std::string msg(const char* ev, double t, int id, const char* from, const char* to, const char* kind,
                int op) {
  std::ostringstream line;
  line.precision(17);
  line << R"({"t":)" << t << R"(,"ev":")" << ev << R"(","msg":)" << id << R"(,"from":")" << from
       << R"(","to":")" << to << R"(","kind":")" << kind << R"(","op":)" << op << "}";
  return line.str();
}

history::Op op(std::int64_t id, const std::string& client, const std::string& f, double invoke_s,
               double complete_s, history::Outcome outcome) {
  history::Op o;
  o.id = id;
  o.client = client;
  o.f = f;
  o.invoke_s = invoke_s;
  o.complete_s = complete_s;
  o.outcome = outcome;
  return o;
}
} // namespace

TEST_CASE("nearest-rank percentiles") {
  std::vector<double> hundred(100);
  std::iota(hundred.begin(), hundred.end(), 1.0);
  CHECK(analysis::nearest_rank(hundred, 50) == 50);
  CHECK(analysis::nearest_rank(hundred, 95) == 95);
  CHECK(analysis::nearest_rank(hundred, 99) == 99);
  CHECK(analysis::nearest_rank(hundred, 100) == 100);
  CHECK(analysis::nearest_rank({1, 2, 3}, 50) == 2);
  CHECK(analysis::nearest_rank({1, 2, 3}, 99) == 3);
  CHECK(analysis::nearest_rank({7}, 1) == 7);
  CHECK(analysis::nearest_rank({}, 50) == 0);
}

TEST_CASE("a hand-made trace: calls paired with their answers, a timed-out call, shares") {
  analysis::ProfileBuilder builder(kNodes);
  const std::vector<std::string> lines = {
      // op 1: checkout, one query of 0.5 s inside 0.502 s.
      msg("send", 0.000, 1, "web", "svc-1", "call", 1),
      msg("deliver", 0.001, 1, "web", "svc-1", "call", 1),
      msg("send", 0.001, 2, "svc-1", "db-1", "query", 1),
      msg("deliver", 0.002, 2, "svc-1", "db-1", "query", 1),
      R"({"t":0.5,"ev":"query","node":"db-1","component":"db","query":"get_cart","op":1,"outcome":"ok"})",
      msg("send", 0.500, 3, "db-1", "svc-1", "query_reply", 1),
      msg("deliver", 0.501, 3, "db-1", "svc-1", "query_reply", 1),
      msg("send", 0.501, 4, "svc-1", "web", "call_reply", 1),
      msg("deliver", 0.502, 4, "svc-1", "web", "call_reply", 1),
      // op 2: the first query gets no answer, the service retries after 1 s.
      msg("send", 1.000, 5, "web", "svc-1", "call", 2),
      msg("deliver", 1.000, 5, "web", "svc-1", "call", 2),
      msg("send", 1.000, 6, "svc-1", "db-1", "query", 2),
      msg("deliver", 1.001, 6, "svc-1", "db-1", "query", 2),
      msg("send", 2.000, 7, "svc-1", "db-1", "query", 2),
      msg("deliver", 2.001, 7, "svc-1", "db-1", "query", 2),
      R"({"t":2.1,"ev":"query","node":"db-1","component":"db","query":"get_cart","op":2,"outcome":"ok"})",
      msg("send", 2.100, 8, "db-1", "svc-1", "query_reply", 2),
      msg("deliver", 2.101, 8, "db-1", "svc-1", "query_reply", 2),
      msg("send", 2.101, 9, "svc-1", "web", "call_reply", 2),
      msg("deliver", 2.102, 9, "svc-1", "web", "call_reply", 2),
  };
  for (const auto& line : lines)
    builder.add_line(line);
  history::History h;
  h.ops.push_back(op(1, "mobile", "checkout", 0.0, 0.502, history::Outcome::ok));
  h.ops.push_back(op(2, "mobile", "checkout", 1.0, 2.102, history::Outcome::ok));
  h.ops.push_back(op(3, "mobile", "checkout", 3.0, 4.0, history::Outcome::info)); // the client timed out
  h.ops.push_back(op(4, "mobile", "browse", 3.0, history::kNever, history::Outcome::info)); // still waiting
  h.ops.push_back(op(5, "other", "browse", 3.0, 3.1, history::Outcome::ok)); // not a listed class
  analysis::Profile p = builder.finish(h, {"mobile"});

  REQUIRE(p.endpoints.size() == 2);
  const auto& browse = p.endpoints[0];
  CHECK(browse.endpoint == "browse");
  CHECK(browse.count == 1);
  CHECK(browse.unfinished == 1);
  CHECK(browse.max_s == 0);
  const auto& checkout = p.endpoints[1];
  CHECK(checkout.client == "mobile");
  CHECK(checkout.count == 3);
  CHECK(checkout.ok == 2);
  CHECK(checkout.info == 1);
  CHECK(checkout.error_rate == Approx(1.0 / 3));
  CHECK(checkout.p50_s == Approx(1.0)); // 0.502, 1.0, 1.102: nearest rank 2 of 3
  CHECK(checkout.p99_s == Approx(1.102));
  CHECK(checkout.total_s == Approx(0.502 + 1.102 + 1.0));

  // The unanswered query never ran as far as the trace knows, so it is named
  // by its message kind; it is also where most of the time went.
  REQUIRE(p.dependencies.size() == 2);
  const auto& lost = p.dependencies[0];
  CHECK(lost.dependency == "db (query)");
  CHECK(lost.calls == 1);
  CHECK(lost.unanswered == 1);
  CHECK(lost.total_s == Approx(1.0));
  CHECK(lost.share == Approx(1.0 / 2.604));
  const auto& d = p.dependencies[1];
  CHECK(d.dependency == "db.get_cart");
  CHECK(d.calls == 2);
  CHECK(d.unanswered == 0);
  CHECK(d.total_s == Approx(0.5 + 0.101));
  CHECK(d.mean_s == Approx(0.601 / 2));
  CHECK(d.p99_s == Approx(0.5));
  CHECK(d.share == Approx(0.601 / 2.604));

  auto j = analysis::profile_json(p);
  CHECK(j["percentiles"] == "nearest-rank");
  CHECK(j["slowest"]["endpoint"] == "checkout");
  CHECK(j["slowest"]["dependency"] == "db (query)");
  std::ostringstream text;
  analysis::print_profile(text, p);
  CHECK(text.str().find("slowest: checkout for class mobile: p99 1.10 s, 38.4 % of it in db (query)") !=
        std::string::npos);
}

TEST_CASE("a real run: shared-database with --profile") {
  const std::string dir = temp_dir();
  const std::string file = source_path("scenarios/shared-database.json");
  const std::string base = std::string(FAULTLAB_BINARY) + " run " + file + " --seed 3";
  auto plain = shell(base + " --trace " + dir + "/plain.jsonl --summary " + dir + "/plain.json");
  auto profiled =
      shell(base + " --profile --trace " + dir + "/profiled.jsonl --summary " + dir + "/profiled.json");
  REQUIRE(plain.first == 0);
  REQUIRE(profiled.first == 0);

  // --profile reads the trace; it never changes it.
  const std::string trace = read_text(dir + "/plain.jsonl");
  REQUIRE(trace.size() > 100000);
  CHECK(trace == read_text(dir + "/profiled.jsonl"));
  const auto without = nlohmann::json::parse(read_text(dir + "/plain.json"));
  const auto s = nlohmann::json::parse(read_text(dir + "/profiled.json"));
  CHECK_FALSE(without.contains("profile"));
  REQUIRE(s.contains("profile"));
  const auto& p = s["profile"];
  CHECK(p["percentiles"] == "nearest-rank");

  // The counts add up to the run's ops; percentiles are ordered.
  std::int64_t count = 0, ok = 0, fail = 0, info = 0;
  for (const auto& e : p["endpoints"]) {
    for (const char* k : {"client", "endpoint"})
      CHECK(e[k].is_string());
    CHECK(e["count"] ==
          e["ok"].get<std::int64_t>() + e["fail"].get<std::int64_t>() + e["info"].get<std::int64_t>());
    CHECK(e["p50_s"].get<double>() <= e["p95_s"].get<double>());
    CHECK(e["p95_s"].get<double>() <= e["p99_s"].get<double>());
    CHECK(e["p99_s"].get<double>() <= e["max_s"].get<double>());
    CHECK(e["error_rate"].get<double>() >= 0);
    CHECK(e["error_rate"].get<double>() <= 1);
    count += e["count"].get<std::int64_t>();
    ok += e["ok"].get<std::int64_t>();
    fail += e["fail"].get<std::int64_t>();
    info += e["info"].get<std::int64_t>();
  }
  CHECK(ok == s["ops"]["ok"].get<std::int64_t>());
  CHECK(fail == s["ops"]["fail"].get<std::int64_t>());
  CHECK(info == s["ops"]["info"].get<std::int64_t>());
  CHECK(count == ok + fail + info);

  // Dependencies: most time first, shares of their endpoint's time.
  REQUIRE(p["dependencies"].size() > 0);
  double previous = 1e300;
  for (const auto& d : p["dependencies"]) {
    for (const char* k : {"calls", "unanswered"})
      CHECK(d[k].is_number_integer());
    for (const char* k : {"mean_s", "p99_s", "total_s", "share"})
      CHECK(d[k].is_number());
    CHECK(d["total_s"].get<double>() <= previous);
    CHECK(d["share"].get<double>() <= 1.0 + 1e-9);
    previous = d["total_s"].get<double>();
  }
  // The lesson: the analysts' full-table search is the slow pair, and its
  // time goes to the shared database.
  CHECK(p["slowest"]["client"] == "analysts");
  CHECK(p["slowest"]["endpoint"] == "search");
  CHECK(p["slowest"]["dependency"].get<std::string>().rfind("db", 0) == 0);
  CHECK(p["slowest"]["share"].get<double>() > 0.5);
  CHECK(p["dependencies"][0]["endpoint"] == "search");

  CHECK(plain.second.find("profile (") == std::string::npos);
  CHECK(profiled.second.find("  profile (latency of finished ops, nearest-rank") != std::string::npos);
  CHECK(profiled.second.find("slowest: search for class analysts") != std::string::npos);
}

TEST_CASE("a fault that slows a dependency makes it the endpoint's top dependency") {
  // shared-database with the reports on their own database, plus 50 ms of
  // extra delay on every message to or from the shop's database for 60 s.
  auto s = nlohmann::json::parse(read_text(source_path("scenarios/shared-database.json")));
  s["faults"] = {
      {"slow-db",
       {{"type", "delay"}, {"nodes", {"db-1"}}, {"extra", "50ms"}, {"at", "20s"}, {"duration", "60s"}}}};
  const std::string dir = temp_dir();
  faultlab::testing::write_text(dir + "/slow-db.json", s.dump());
  auto run =
      shell(std::string(FAULTLAB_BINARY) + " run " + dir + "/slow-db.json --variant fixed-separate --seed 2" +
            " --profile --quiet --summary " + dir + "/summary.json");
  REQUIRE(run.first == 0);
  const auto p = nlohmann::json::parse(read_text(dir + "/summary.json"))["profile"];
  const nlohmann::json* top = nullptr;
  for (const auto& d : p["dependencies"])
    if (d["endpoint"] == "checkout") {
      top = &d;
      break;
    }
  REQUIRE(top != nullptr);
  CHECK((*top)["dependency"].get<std::string>().rfind("db.", 0) ==
        0);                                    // the slowed database, not analytics_db
  CHECK((*top)["p99_s"].get<double>() >= 0.1); // a request and its answer, 50 ms each
  CHECK((*top)["share"].get<double>() > 0.4);
  for (const auto& e : p["endpoints"])
    if (e["endpoint"] == "checkout") CHECK(e["p99_s"].get<double>() >= 0.2); // two queries
}

TEST_CASE("a wait for a pooled connection is its own line, before the call") {
  analysis::ProfileBuilder builder(kNodes);
  for (
      const auto& line : std::vector<std::string>{
          msg("send", 0.000, 1, "web", "svc-1", "call", 7),
          msg("deliver", 0.001, 1, "web", "svc-1", "call", 7),
          R"({"t":0.301,"ev":"pool_wait","node":"svc-1","component":"shop","pool":"db","waited_s":0.3,"outcome":"connection","in_use":4,"waiting":2,"size":4})",
          msg("send", 0.301, 2, "svc-1", "db-1", "query", 7),
          msg("deliver", 0.302, 2, "svc-1", "db-1", "query", 7),
          R"({"t":0.35,"ev":"query","node":"db-1","component":"db","query":"get_cart","op":7,"outcome":"ok"})",
          msg("send", 0.350, 3, "db-1", "svc-1", "query_reply", 7),
          msg("deliver", 0.351, 3, "db-1", "svc-1", "query_reply", 7),
          msg("send", 0.351, 4, "svc-1", "web", "call_reply", 7),
          msg("deliver", 0.352, 4, "svc-1", "web", "call_reply", 7),
      })
    builder.add_line(line);
  history::History h;
  h.ops.push_back(op(7, "mobile", "checkout", 0.0, 0.352, history::Outcome::ok));
  analysis::Profile p = builder.finish(h, {"mobile"});
  REQUIRE(p.dependencies.size() == 2);
  CHECK(p.dependencies[0].dependency == "db (waiting for a connection)");
  CHECK(p.dependencies[0].total_s == Approx(0.3));
  CHECK(p.dependencies[1].dependency == "db.get_cart");
  CHECK(p.dependencies[1].total_s == Approx(0.05));
}
