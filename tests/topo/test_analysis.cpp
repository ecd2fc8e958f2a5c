// topo/ on hand-made designs whose answers are known: single points of
// failure, redundancy rules, fallbacks, cascades, partitions, bad input, and
// the reports' exact text.
#include "topo/analysis.hpp"
#include "topo/render.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

using namespace faultlab::topo;
using Names = std::vector<std::string>;

namespace {
// An API pool on two machines serving three endpoints that all need Redis.
// `redis_nodes` and `needs` say how Redis itself is deployed.
Design redis_design(const Names& redis_nodes, Needs needs, bool feed_has_fallback = false) {
  Design d;
  d.nodes = {"app-1", "app-2"};
  d.nodes.insert(d.nodes.end(), redis_nodes.begin(), redis_nodes.end());
  d.components = {{"api", "service", {"app-1", "app-2"}, Needs::any, {}},
                  {"redis", "cache", redis_nodes, needs, {}}};
  d.endpoints = {{"api:feed", "api", {{"redis", !feed_has_fallback, "read feed:{user}"}}},
                 {"api:login", "api", {{"redis", true, "write session:{user}"}}},
                 {"api:profile", "api", {{"redis", true, ""}}}};
  return d;
}

Names endpoints_of(const SinglePointOfFailure& spof) {
  Names names;
  for (const auto& impact : spof.endpoints)
    names.push_back(impact.endpoint);
  return names;
}

// A single replica group `db` of the given nodes, serving one endpoint.
Design db_design(Needs needs) {
  Design d;
  d.nodes = {"db-1", "db-2", "db-3"};
  d.components = {{"db", "replica_group", {"db-1", "db-2", "db-3"}, needs, {}}};
  d.endpoints = {{"db:write", "db", {}}};
  return d;
}

void require_error(const Design& design, const std::string& message) {
  REQUIRE_THROWS_MATCHES(DependencyGraph(design), std::invalid_argument, Catch::Message(message));
}
} // namespace

TEST_CASE("topo: a single Redis that three endpoints need is a single point of failure") {
  const DependencyGraph graph(redis_design({"redis-1"}, Needs::all));
  const auto spofs = graph.single_points_of_failure();
  REQUIRE(spofs.size() == 2);
  CHECK(spofs[0].kind == Kind::component); // same count: by name, and "redis" < "redis-1"
  CHECK(spofs[0].name == "redis");
  CHECK(spofs[1].kind == Kind::node);
  CHECK(spofs[1].name == "redis-1");
  for (const auto& spof : spofs)
    CHECK(endpoints_of(spof) == Names{"api:feed", "api:login", "api:profile"});
  REQUIRE(spofs[1].endpoints[0].chain.size() == 3);
  CHECK(spofs[1].endpoints[0].chain[1].name == "redis");
  CHECK(spofs[1].endpoints[0].chain[1].why == "read feed:{user}");
  CHECK(spofs[1].endpoints[0].chain[2].name == "redis-1");
}

TEST_CASE("topo: a Redis group where any member will do is not a single point of failure") {
  const DependencyGraph graph(redis_design({"redis-1", "redis-2"}, Needs::any));
  CHECK(graph.single_points_of_failure().empty());
  CHECK(graph.up({"redis-1"}).endpoints.at("api:feed"));
  CHECK_FALSE(graph.up({"redis-1", "redis-2"}).endpoints.at("api:feed"));
  // Failing the whole group by hand still takes everything down.
  CHECK_FALSE(graph.up({}, {"redis"}).endpoints.at("api:login"));
}

TEST_CASE("topo: a dependency with a fallback is not a single point of failure for that endpoint") {
  const DependencyGraph graph(redis_design({"redis-1"}, Needs::all, /*feed_has_fallback=*/true));
  const auto spofs = graph.single_points_of_failure();
  REQUIRE(spofs.size() == 2);
  CHECK(endpoints_of(spofs[1]) == Names{"api:login", "api:profile"});
  const auto status = graph.up({"redis-1"});
  CHECK(status.endpoints.at("api:feed"));
  CHECK_FALSE(status.endpoints.at("api:login"));
}

TEST_CASE("topo: a majority group survives the loss of one member of three, not two") {
  const DependencyGraph graph(db_design(Needs::majority));
  CHECK(graph.up({"db-1"}).components.at("db"));
  CHECK(graph.up({"db-3"}).endpoints.at("db:write"));
  CHECK_FALSE(graph.up({"db-1", "db-3"}).components.at("db"));
  CHECK(graph.single_points_of_failure().empty());
}

TEST_CASE("topo: a fixed primary is down without its first member, and a single point of failure") {
  const DependencyGraph graph(db_design(Needs::first));
  CHECK_FALSE(graph.up({"db-1"}).components.at("db"));
  CHECK(graph.up({"db-2", "db-3"}).components.at("db"));
  const auto spofs = graph.single_points_of_failure();
  REQUIRE(spofs.size() == 2);
  CHECK(spofs[0].name == "db");
  CHECK(spofs[1].name == "db-1");
}

TEST_CASE("topo: a cascade is listed in dependency order") {
  Design d;
  d.nodes = {"redis-1", "app-1"};
  d.components = {{"web", "service", {"app-1"}, Needs::all, {{"auth", true, ""}}},
                  {"auth", "service", {"app-1"}, Needs::all, {{"sessions", true, ""}}},
                  {"sessions", "cache", {"redis-1"}, Needs::all, {}}};
  d.endpoints = {{"web:home", "web", {}}, {"auth:login", "auth", {}}};
  const DependencyGraph graph(d);
  const auto outage = graph.reach({"redis-1"});
  CHECK(outage.components == Names{"sessions", "auth", "web"});
  CHECK(outage.endpoints == Names{"web:home", "auth:login"});
  CHECK(graph.reach({}).components.empty());

  // Most endpoints first, then by name.
  Names order;
  for (const auto& spof : graph.single_points_of_failure())
    order.push_back(spof.name);
  CHECK(order == Names{"app-1", "auth", "redis-1", "sessions", "web"});
}

TEST_CASE("topo: the chain names every hard need from the endpoint to the failure, and the report says so") {
  Design d;
  d.nodes = {"app-1", "app-2", "redis-1"};
  d.components = {
      {"feed", "service", {"app-1", "app-2"}, Needs::any, {}},
      {"auth", "service", {"app-1", "app-2"}, Needs::any, {{"sessions", true, "read session:{user}"}}},
      {"sessions", "cache", {"redis-1"}, Needs::all, {}}};
  d.endpoints = {{"api:feed", "feed", {{"auth", true, "check token"}}}, {"api:health", "feed", {}}};
  const DependencyGraph graph(d);
  CHECK(render_text(graph) == "Design: 3 nodes, 3 components, 2 endpoints\n"
                              "\n"
                              "Single points of failure:\n"
                              "  node redis-1 takes down 1 of 2 endpoints:\n"
                              "    api:feed → auth (check token) → sessions (read session:{user}) → redis-1\n"
                              "  component sessions takes down 1 of 2 endpoints:\n"
                              "    api:feed → auth (check token) → sessions (read session:{user})\n"
                              "\n"
                              "Articulation points (cut vertices of the graph, a structural hint):\n"
                              "  component feed (not a single point of failure: it runs on 2 nodes and stays up "
                              "when one crashes)\n"
                              "  component auth (not a single point of failure: it runs on 2 nodes and stays up "
                              "when one crashes)\n"
                              "  component sessions (also a single point of failure, above)\n");
}

TEST_CASE("topo: a design without single points of failure says none, and why its cut vertices are not") {
  const DependencyGraph graph(redis_design({"redis-1", "redis-2"}, Needs::any));
  const std::string text = render_text(graph);
  INFO(text);
  CHECK(text.find("Single points of failure: none\n") != std::string::npos);
  // Every cut vertex listed under "none" says why it is not one.
  const auto hint = text.find("Articulation points");
  REQUIRE(hint != std::string::npos);
  std::size_t listed = 0;
  for (auto at = text.find("\n  ", hint); at != std::string::npos; at = text.find("\n  ", at + 1)) {
    const auto end = text.find('\n', at + 1);
    CHECK(text.substr(at, end - at).find("(not a single point of failure: ") != std::string::npos);
    ++listed;
  }
  CHECK(listed > 0);
}

TEST_CASE("topo: a dependency cycle is an error that names the cycle") {
  Design d;
  d.nodes = {"n"};
  d.components = {{"a", "service", {"n"}, Needs::all, {{"b", true, ""}}},
                  {"b", "service", {"n"}, Needs::all, {{"c", false, ""}}},
                  {"c", "service", {"n"}, Needs::all, {{"a", true, ""}}}};
  require_error(d, "dependency cycle: a → b → c → a");
  d.components = {{"a", "service", {"n"}, Needs::all, {{"a", true, ""}}}};
  require_error(d, "dependency cycle: a → a");
}

TEST_CASE("topo: unknown and duplicate names are errors that name them") {
  Design d = redis_design({"redis-1"}, Needs::all);
  d.components[0].deps = {{"sessions", true, ""}};
  require_error(d, "component \"api\" needs unknown component \"sessions\"");

  d = redis_design({"redis-1"}, Needs::all);
  d.endpoints[1].component = "auth";
  require_error(d, "endpoint \"api:login\" is served by unknown component \"auth\"");

  d = redis_design({"redis-1"}, Needs::all);
  d.components[1].nodes = {"redis-9"};
  require_error(d, "component \"redis\" runs on unknown node \"redis-9\"");

  d = redis_design({"redis-1"}, Needs::all);
  d.components[1].nodes = {};
  require_error(d, "component \"redis\" has no nodes");

  d = redis_design({"redis-1"}, Needs::all);
  d.nodes.push_back("app-1");
  require_error(d, "node \"app-1\" is listed twice");

  const DependencyGraph graph(redis_design({"redis-1"}, Needs::all));
  REQUIRE_THROWS_MATCHES(graph.up({"redis-2"}), std::invalid_argument,
                         Catch::Message("unknown node \"redis-2\""));
  REQUIRE_THROWS_MATCHES(graph.up({}, {"db"}), std::invalid_argument,
                         Catch::Message("unknown component \"db\""));
}

TEST_CASE("topo: the dot picture marks shapes, fallbacks and single points of failure") {
  const DependencyGraph graph(redis_design({"redis-1"}, Needs::all, /*feed_has_fallback=*/true));
  const std::string dot = render_dot(graph);
  CHECK(dot.rfind("digraph design {\n", 0) == 0);
  const char* const lines[] = {
      "  \"node:app-1\" [label=\"app-1\", shape=box];\n",
      "  \"node:redis-1\" [label=\"redis-1\", shape=box, style=filled, fillcolor=\"#e06666\"];\n",
      "  \"component:api\" [label=\"api\\nservice, any of 2\", shape=ellipse, style=filled, "
      "fillcolor=\"#9fc5e8\"];\n",
      "  \"component:redis\" [label=\"redis\\ncache\", shape=ellipse, style=filled, "
      "fillcolor=\"#e06666\"];\n",
      "  \"endpoint:api:feed\" [label=\"api:feed\", shape=diamond];\n",
      "  \"component:redis\" -> \"node:redis-1\";\n",
      "  \"endpoint:api:feed\" -> \"component:api\";\n",
      "  \"endpoint:api:feed\" -> \"component:redis\" [style=dashed, label=\"fallback\", tooltip=\"read "
      "feed:{user}\"];\n",
      "  \"endpoint:api:login\" -> \"component:redis\" [tooltip=\"write session:{user}\"];\n",
      "  \"endpoint:api:profile\" -> \"component:redis\";\n",
  };
  for (const char* line : lines) {
    INFO(line);
    CHECK(dot.find(line) != std::string::npos);
  }
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  CHECK(render_dot(graph) == dot);
}

TEST_CASE("topo: each side of a partition serves what its own nodes can") {
  Design d;
  d.nodes = {"db-1", "db-2", "db-3", "app-1", "app-2", "cache-1", "cache-2"};
  d.components = {{"db", "replica_group", {"db-1", "db-2", "db-3"}, Needs::majority, {}},
                  {"cache", "cache", {"cache-1", "cache-2"}, Needs::any, {}},
                  {"api", "service", {"app-1", "app-2"}, Needs::any, {}}};
  d.endpoints = {{"users:write", "api", {{"db", true, ""}}},
                 {"users:read", "api", {{"cache", true, ""}, {"db", false, "on a cache miss"}}}};
  const DependencyGraph graph(d);
  const auto result = graph.partition({{"db-1", "db-2", "app-1", "cache-1"}, {"db-3", "app-2", "cache-2"}});
  REQUIRE(result.sides.size() == 2);
  CHECK(result.sides[0].endpoints_up == Names{"users:write", "users:read"});
  CHECK(result.sides[1].endpoints_up == Names{"users:read"});
  CHECK(result.sides[1].components_up == Names{"cache", "api"});
  CHECK(result.split_components == Names{"cache", "api"});
  CHECK(render_partition_text(result) == "Side 1 (db-1, db-2, app-1, cache-1):\n"
                                         "  endpoints up: users:write, users:read\n"
                                         "  components up: db, cache, api\n"
                                         "Side 2 (db-3, app-2, cache-2):\n"
                                         "  endpoints up: users:read\n"
                                         "  components up: cache, api\n"
                                         "Up on more than one side: cache, api\n");

  // Nodes in no group are unreachable from every side.
  const auto lonely = graph.partition({{"db-1", "app-1", "cache-1"}});
  CHECK(lonely.sides[0].endpoints_up == Names{"users:read"}); // the cache answers, db is a fallback
  REQUIRE_THROWS_MATCHES(graph.partition({{"db-1"}, {"db-1"}}), std::invalid_argument,
                         Catch::Message("node \"db-1\" is in partition groups 1 and 2"));
}
