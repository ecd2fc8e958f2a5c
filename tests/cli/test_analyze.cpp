// faultlab analyze: the design review's view of a scenario.
#include "../support/run_support.hpp"
#include "cli/analyze_command.hpp"
#include "cli/commands.hpp"
#include "cli/design_graph.hpp"
#include "scenario/loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

using faultlab::testing::source_path;

namespace {
std::string analyze(const std::string& scenario, const std::string& variant, bool simulate = false,
                    const std::string& format = "text") {
  faultlab::cli::AnalyzeArgs args;
  args.scenario = source_path("scenarios/" + scenario + ".json");
  args.variant = variant;
  args.simulate = simulate;
  args.format = format;
  args.jobs = 2;
  std::ostringstream out, err;
  CHECK(faultlab::cli::command_analyze(args, out, err) == faultlab::cli::kExitOk);
  CHECK(err.str().empty());
  return out.str();
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("analyze names the Redis as the single point of failure of redis-spof broken, and none in fixed") {
  std::string broken = analyze("redis-spof", "broken");
  CHECK(has(broken, "Single points of failure:\n"));
  CHECK(has(broken, "  node redis-1 takes down 4 of 4 endpoints:\n"));
  CHECK(has(broken, "  component redis takes down 4 of 4 endpoints:\n"));
  CHECK(has(broken, "    api:login → redis (write session:{user}) → redis-1\n"));
  CHECK_FALSE(has(broken, "node api-1 takes down"));

  std::string fixed = analyze("redis-spof", "fixed");
  CHECK(has(fixed, "Single points of failure: none\n"));
}

TEST_CASE("analyze --simulate measures what the prediction says") {
  std::string text = analyze("redis-spof", "broken", true);
  // The run without a failure serves everything; with redis-1 down the
  // endpoints predicted down fail (the measured rate is printed per endpoint).
  auto block = text.substr(text.find("  redis-1 down:\n"));
  CHECK(has(block, "api:feed"));
  CHECK(has(block, "(predicted down)"));
  auto rate = [&](const std::string& from, const std::string& endpoint) {
    auto at = text.find(endpoint, text.find(from));
    return std::stod(text.substr(at + 28, 10));
  };
  CHECK(rate("  no failure:\n", "api:feed") > 99.0);
  CHECK(rate("  redis-1 down:\n", "api:feed") < 5.0);
}

TEST_CASE("analyze shows what each side of a partition still serves") {
  std::string text = analyze("split-brain", "broken");
  CHECK(has(text, "Partition \"datacentre-link\" at 8.000 s:\n"));
  CHECK(has(text, "Up on more than one side: accounts\n")); // two primaries are possible
}

TEST_CASE("the design of a scenario: needs follow the failover settings") {
  using faultlab::topo::Needs;
  auto design = [](const std::string& name, const std::string& variant) {
    return faultlab::cli::design_of(
        faultlab::scenario::load_scenario(source_path("scenarios/" + name + ".json"), {variant, {}}));
  };
  auto needs_of = [](const faultlab::topo::Design& d, const std::string& component) {
    for (const auto& c : d.components)
      if (c.name == component) return c.needs;
    FAIL("no component " << component);
    return Needs::all;
  };
  CHECK(needs_of(design("replica-lag", "broken"), "profiles") == Needs::first);
  CHECK(needs_of(design("replica-lag", "broken"), "profiles/reads") == Needs::any);
  CHECK(needs_of(design("split-brain", "broken"), "accounts") == Needs::any);
  CHECK(needs_of(design("split-brain", "fixed"), "accounts") == Needs::majority);
  CHECK(needs_of(design("redis-spof", "fixed"), "redis") == Needs::any);
}

TEST_CASE("analyze --format dot is a Graphviz digraph with the Redis marked") {
  std::string dot = analyze("redis-spof", "broken", false, "dot");
  CHECK(dot.rfind("digraph design {\n", 0) == 0);
  CHECK(has(dot, "\"component:redis\""));
  CHECK(has(dot, "fillcolor=\"#e06666\""));
}

TEST_CASE("analyze walks cascade-delete's foreign keys: rows per table, the longest chain, the kept tables") {
  const std::string text = analyze("cascade-delete", "broken");
  CHECK(has(text, "Query db.delete_org: DELETE FROM organizations WHERE id = ? (1 row)\n"
                  "  deletes 6,195 rows in 7 tables, sets 1,000 rows to NULL, examines 80,030,132 rows:\n"));
  CHECK(has(text, "    comments               deletes 5,000 rows                 via comments.task_id, 28,253 rows examined\n"));
  CHECK(has(text, "  longest cascade chain (3 steps): organizations → projects → tasks → comments\n"));
  CHECK(has(text, "  must be kept: invoices (10 years, tax law), and this DELETE removes 24 rows of it\n"));
  // RESTRICT on invoices refuses the DELETE outright.
  const std::string restrict = analyze("cascade-delete", "fixed-restrict");
  CHECK(has(restrict, "  refused: 24 rows of invoices still reference organizations (invoices.organization_id ON "
                      "DELETE RESTRICT); the statement fails and nothing is deleted\n"));
  CHECK_FALSE(has(restrict, "must be kept"));
  // DOT: the design graph, then one digraph per DELETE.
  const std::string dot = analyze("cascade-delete", "broken", false, "dot");
  CHECK(has(dot, "digraph \"db.delete_org\" {"));
  CHECK(has(dot, "  \"invoices\" [label=\"invoices\\n48,000 rows\\n-24 deleted\\nkeep: 10 years, tax law\", "
                 "fillcolor=\"#ea9999\"];\n"));
  CHECK(has(dot, "  \"users\" -> \"tasks\" [label=\"assignee_id\\nSET NULL\\n(no index)\", style=dashed];\n"));
  CHECK(has(dot, "  \"tasks\" -> \"comments\" [label=\"task_id\\nCASCADE\", penwidth=3];\n"));
}

TEST_CASE("analyze shows which copies of gdpr-erasure's user the job reaches and which it misses") {
  const std::string broken = analyze("gdpr-erasure", "broken");
  CHECK(has(broken, "Personal data user-data: where user-42's data lives\n"));
  CHECK(has(broken, "    ok   main-db            database     erased by the job"));
  CHECK(has(broken, "    LATE analytics          warehouse    missed; kept until someone deletes it          from main-db\n"));
  CHECK(has(broken, "    LATE backups            backup       missed; ages out 35 days after its last copy   from main-db\n"));
  CHECK(has(broken, "    ok   sessions           cache        missed; ages out 1 days after its last copy    from main-db\n"));
  CHECK(has(broken, "  4 copies outlive the deadline\n"));
  const std::string fixed = analyze("gdpr-erasure", "fixed-shredding");
  CHECK(has(fixed, "    ok   backups            backup       unreadable: its key in keys is deleted         from main-db\n"));
  CHECK(has(fixed, "  every copy is gone by the deadline\n"));
  const std::string dot = analyze("gdpr-erasure", "broken", false, "dot");
  CHECK(has(dot, "digraph \"user-data\" {"));
  CHECK(has(dot, "  \"main-db\" -> \"backups\";\n"));
  CHECK(has(dot, "fillcolor=\"#ea9999\""));
}

TEST_CASE("analyze reads an endpoint that calls one component twice as one dependency") {
  // traffic-spike's checkout prices the cart, then places the order, both on
  // "db"; analyze used to stop with "lists dependency \"db\" twice".
  std::string text = analyze("traffic-spike", "broken");
  CHECK(has(text, "  component db takes down 1 of 1 endpoint:\n"));
  CHECK(has(text, "    checkout:checkout → db (price_cart cart:{user}, place_order order:{user})\n"));
  std::string shared = analyze("shared-database", "broken");
  CHECK(has(shared, "    shop:checkout → db (get_product product:{user}, place_order order:{user}) → db-1\n"));
}

TEST_CASE("analyze reads every catalog scenario in every variant") {
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".json" || file == "schema.json") continue;
    const std::string name = entry.path().stem().string();
    auto scenario = nlohmann::json::parse(faultlab::testing::read_text(entry.path().string()));
    std::vector<std::string> variants{""};
    const nlohmann::json listed = scenario.value("variants", nlohmann::json::object());
    for (auto it = listed.begin(); it != listed.end(); ++it) variants.push_back(it.key());
    for (const auto& variant : variants) {
      INFO(name << " variant '" << variant << "'");
      CHECK(has(analyze(name, variant), "Design: "));
    }
  }
}

TEST_CASE("every metric a catalog component adds is among its type's registered metrics, which the schema offers") {
  const std::vector<std::string> registered = faultlab::scenario::ComponentTypes::instance().all_metric_names();
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".json" || file == "schema.json") continue;
    auto document = nlohmann::json::parse(faultlab::testing::read_text(entry.path().string()));
    std::vector<std::string> variants{"base"};
    const nlohmann::json listed = document.value("variants", nlohmann::json::object());
    for (auto it = listed.begin(); it != listed.end(); ++it) variants.push_back(it.key());
    for (const auto& variant : variants) {
      const auto s = faultlab::scenario::load_scenario(entry.path().string(), faultlab::scenario::LoadOptions{variant, {}});
      for (const auto& name : s.component_metric_names()) {
        INFO(file << " variant " << variant << ": metric " << name);
        CHECK(std::find(registered.begin(), registered.end(), name) != registered.end());
      }
    }
  }
}
