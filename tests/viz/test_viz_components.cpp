// What each node runs, from the header's component types (version 2) or
// inferred from its roles (version 1), and the node panel's words for each
// type, built from the state events' fields with `why` kept whole.
#include "trace_fixtures.hpp"

#include "trace_model/components.hpp"

namespace {
const std::string kEnd = "{\"t\":2.0,\"ev\":\"end\"}\n";

ComponentKind kind(const Trace& t, const std::string& node) {
  return t.lanes[t.lane_of(node)].component_kind;
}
} // namespace

TEST_CASE("a version 2 header says what each node runs: the component's type decides its kind") {
  const Trace t = parse_trace(kMixHeader + "\n" + kEnd, "v2.jsonl");
  CHECK(t.header.version == 2);
  REQUIRE(t.header.nodes[4].components.size() == 1);
  CHECK(t.header.nodes[4].components[0].component == "api");
  CHECK(t.header.nodes[4].components[0].type == "service");
  CHECK(t.header.nodes[4].components[0].role == "instance");

  CHECK(kind(t, "web") == ComponentKind::clients);
  CHECK(kind(t, "cache-1") == ComponentKind::cache);
  CHECK(kind(t, "stock-db") == ComponentKind::inventory);
  CHECK(kind(t, "lock-1") == ComponentKind::locks);
  CHECK(kind(t, "api-1") == ComponentKind::service);
  CHECK(kind(t, "db-1") == ComponentKind::shard);
  CHECK(kind(t, "db") == ComponentKind::replica);
  CHECK(kind(t, "pay-1") == ComponentKind::other); // a type this viewer does not know: not a shard
  CHECK(kind(t, "edge") ==
        ComponentKind::cache); // a component wins over the client group it shares a host with
  CHECK(kind(t, "spare") == ComponentKind::none);

  const Lane& shard = t.lanes[t.lane_of("db-1")];
  CHECK(shard.component == "orders");
  CHECK(shard.type == "sharded_store");
  CHECK(shard.role == "shard-1");
  CHECK(t.lanes[t.lane_of("pay-1")].type == "payment_provider");
  CHECK(t.lanes[t.lane_of("api-1")].subtitle == "api:instance");
  CHECK(t.lanes[t.lane_of("edge")].subtitle == "e:clients  ec:cache");
  CHECK(t.lanes[t.lane_of("edge")].components.size() == 2);
}

TEST_CASE("a version 1 trace still loads, its kinds inferred from the roles as before") {
  const Trace v1 = parse_trace(kMixHeaderV1 + "\n" + kEnd, "v1.jsonl");
  const Trace v2 = parse_trace(kMixHeader + "\n" + kEnd, "v2.jsonl");
  for (const char* node : {"web", "cache-1", "stock-db", "lock-1", "api-1", "db-1", "db", "edge", "spare"}) {
    INFO(node);
    CHECK(kind(v1, node) == kind(v2, node));
    CHECK(state_of(v1, 0.5, node).summary == state_of(v2, 0.5, node).summary);
  }
  CHECK(v1.lanes[v1.lane_of("api-1")].subtitle == "api:service"); // the roles as written
  // By elimination, as version 1 always did: an unknown role is a shard's name.
  CHECK(kind(v1, "pay-1") == ComponentKind::shard);

  // The tiny run in both versions: the same kinds and the same panel.
  const Trace a = parse_trace(kHeaderV1 + "\n" + kEvents, "a.jsonl");
  const Trace b = parse_trace(kHeader + "\n" + kEvents, "b.jsonl");
  for (const char* node : {"web", "db-1", "db-2"}) {
    INFO(node);
    CHECK(kind(a, node) == kind(b, node));
    CHECK(a.lanes[a.lane_of(node)].subtitle == b.lanes[b.lane_of(node)].subtitle);
    for (double at : {0.1, 0.3, 0.5, 1.5}) {
      CHECK(state_of(a, at, node).role == state_of(b, at, node).role);
      CHECK(state_of(a, at, node).applied == state_of(b, at, node).applied);
    }
  }
  CHECK(kind(a, "db-2") == ComponentKind::replica);
}

TEST_CASE("only a version 1 trace infers a replica from its state events") {
  const std::string events =
      R"({"t":0.1,"ev":"state","node":"spare","component":"kv","applied":3,"key":"x","value":1}
)" + kEnd;
  const Trace v1 = parse_trace(kMixHeaderV1 + "\n" + events, "v1.jsonl");
  CHECK(kind(v1, "spare") == ComponentKind::replica);
  CHECK(v1.lanes[v1.lane_of("spare")].component == "kv");
  // Version 2 said the node runs nothing: its event is shown as it is.
  const Trace v2 = parse_trace(kMixHeader + "\n" + events, "v2.jsonl");
  CHECK(kind(v2, "spare") == ComponentKind::none);
  CHECK(state_of(v2, 0.5, "spare").summary == "x = 1, applied 3");
}

TEST_CASE("a component of a type the viewer does not know is a generic node") {
  const std::string events =
      R"({"t":0.1,"ev":"send","msg":1,"from":"web","to":"pay-1","kind":"charge","size":1}
{"t":0.11,"ev":"deliver","msg":1,"from":"web","to":"pay-1","kind":"charge"}
{"t":0.2,"ev":"state","node":"pay-1","component":"payments","key":"card-9","value":20,"why":"charged"}
{"t":0.6,"ev":"state","node":"pay-1","component":"payments","role":"primary","term":3,"applied":12,"why":"won the election"}
{"t":0.8,"ev":"state","node":"pay-1","component":"payments","why":"circuit open"}
)" + kEnd;
  const Trace t = parse_trace(kMixHeader + "\n" + events, "pay.jsonl");
  auto at = [&](double time_s) { return state_of(t, time_s, "pay-1"); };
  CHECK(at(0.15).kind == ComponentKind::other);
  CHECK(at(0.15).type == "payment_provider");
  CHECK(at(0.15).summary == "payments payment provider"); // what it is, before any event (role "provider")
  CHECK(at(0.15).messages_in_1s == 1);
  CHECK(at(0.3).summary == "card-9 = 20 (charged)");
  CHECK(at(0.3).last_change_s == 0.2);
  CHECK(at(0.7).summary == "primary t3, applied 12 (won the election)");
  CHECK(at(0.9).summary == "circuit open");

  // A role the type's name does not already say is added.
  const std::string database = replace_all(kMixHeader, R"("type":"payment_provider","role":"provider")",
                                           R"("type":"database","role":"primary")");
  const Trace db = parse_trace(database + "\n" + events, "db.jsonl");
  CHECK(state_of(db, 0.15, "pay-1").summary == "payments database, primary");
  CHECK(state_of(db, 0.3, "pay-1").summary == "card-9 = 20 (charged)");
}

TEST_CASE("a version 2 header with malformed components is refused, saying where") {
  auto error = [](const std::string& header) {
    try {
      parse_trace(header + "\n" + kEnd, "bad.jsonl");
    } catch (const TraceError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string head = R"({"format":"faultlab-trace","version":2,"nodes":[{"name":"n","components":)";
  CHECK(error(head + R"("cache"}]})") ==
        "bad.jsonl:1: a node's \"components\" should be an array, got string");
  CHECK(error(head + R"([1]}]})") == "bad.jsonl:1: a node's \"components\" should hold objects");
  CHECK(error(head + R"([{"component":"c"}]}]})") == "bad.jsonl:1: missing field \"type\"");
  // A version 2 node without "components" runs nothing (roles are not read any more).
  const Trace t =
      parse_trace(R"({"format":"faultlab-trace","version":2,"nodes":[{"name":"n","roles":["c:cache"]}]})"
                  "\n" +
                      kEnd,
                  "none.jsonl");
  CHECK(kind(t, "n") == ComponentKind::none);
}

TEST_CASE("the node panel's words for each type, from the state events' fields") {
  const std::string events =
      R"({"t":0.1,"ev":"state","node":"cache-1","component":"cc","key":"price:7","value":12,"entries":42,"why":"fill"}
{"t":0.2,"ev":"state","node":"cache-1","component":"cc","entries":0,"why":"crashed: every entry lost"}
{"t":0.3,"ev":"state","node":"cache-1","component":"cc","key":"price:38","value":5,"entries":1,"why":"fill refused: read at position 1, older than position 3 here"}
{"t":0.4,"ev":"state","node":"cache-1","component":"cc","key":"price:8","entries":0,"why":"delete"}
{"t":0.1,"ev":"state","node":"stock-db","component":"stock","key":"sneaker-42","value":37,"why":"stock written"}
{"t":0.1,"ev":"state","node":"lock-1","component":"locks","key":"sneaker-42","value":7,"why":"lease granted to shop-2 with token 7"}
{"t":0.3,"ev":"state","node":"api-1","component":"api","why":"fallback: rate_limit failed (timeout), failing open"}
{"t":0.3,"ev":"state","node":"edge","component":"ec","key":"k","value":1,"entries":1,"why":"fill"}
{"t":0.40,"ev":"send","msg":1,"from":"web","to":"db-1","kind":"write","size":1}
{"t":0.41,"ev":"deliver","msg":1,"from":"web","to":"db-1","kind":"write"}
{"t":0.45,"ev":"send","msg":2,"from":"web","to":"db-1","kind":"read","size":1}
{"t":0.46,"ev":"deliver","msg":2,"from":"web","to":"db-1","kind":"read"}
)" + kEnd;
  const Trace t = parse_trace(kMixHeader + "\n" + events, "mix.jsonl");
  auto at = [&](double time_s, const std::string& node) { return state_of(t, time_s, node); };
  CHECK(at(0.05, "cache-1").summary == "no change yet");
  CHECK(at(0.15, "cache-1").entries == 42);
  CHECK(at(0.15, "cache-1").summary == "42 entries; last: price:7=12, fill");
  CHECK(at(0.25, "cache-1").summary == "0 entries; last: crashed: every entry lost");
  CHECK(at(0.35, "cache-1").summary ==
        "1 entry; last: price:38=5, fill refused: read at position 1, older than position 3 here");
  CHECK(at(0.45, "cache-1").summary == "0 entries; last: price:8, delete");
  CHECK(at(0.5, "edge").summary == "1 entry; last: k=1, fill");
  CHECK(at(0.5, "stock-db").summary == "sneaker-42 = 37 (stock written)");
  CHECK(at(0.5, "lock-1").summary == "sneaker-42: lease granted to shop-2 with token 7");
  CHECK(at(0.05, "api-1").summary == "api service");
  CHECK(at(0.5, "api-1").summary == "fallback: rate_limit failed (timeout), failing open");
  CHECK(at(0.5, "api-1").last_change_s == 0.3);
  CHECK(at(0.5, "db-1").summary == "orders shard-1");
  CHECK(at(0.5, "db-1").messages_in_1s == 2);
  CHECK(at(1.42, "db-1").messages_in_1s == 1); // the window is (t - 1 s, t]
  CHECK(at(0.5, "web").kind == ComponentKind::clients);
  CHECK(at(0.5, "web").summary == "client host");
  CHECK(t.lanes[t.lane_of("spare")].idle());
  CHECK(at(0.5, "spare").summary == "unused in this run");
  CHECK_FALSE(t.lanes[t.lane_of("lock-1")].idle());
}

TEST_CASE("a state event is described by its own component's type on a node that runs several") {
  Lane lane;
  lane.component_kind = ComponentKind::replica;
  lane.component = "kv";
  lane.components = {{"kv", "replica_group", "primary"}, {"stock", "inventory", "inventory"}};
  StateEvent s;
  s.component = "stock";
  s.key = "sneaker-42";
  s.value = "3";
  s.why = "stock decremented";
  CHECK(kind_of_event(lane, s) == ComponentKind::inventory);
  CHECK(describe_state(s, kind_of_event(lane, s)) == "sneaker-42 = 3 (stock decremented)");
  s.component = "kv";
  CHECK(kind_of_event(lane, s) == ComponentKind::replica);
  s.component = "elsewhere";
  CHECK(kind_of_event(lane, s) == ComponentKind::replica);
}
