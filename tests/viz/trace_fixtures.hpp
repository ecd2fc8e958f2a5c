// Small hand-made traces and helpers shared by the trace model's tests.
#pragma once

#include "trace_model/explain.hpp"
#include "trace_model/focus.hpp"
#include "trace_model/load.hpp"
#include "trace_model/metrics.hpp"
#include "trace_model/node_state.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace faultlab::viz;
namespace fs = std::filesystem;

namespace {

// The header as faultlab writes it (version 2: each node's components, with
// type and role, and the version 1 roles kept for older readers).
const std::string kHeader =
    R"({"format":"faultlab-trace","version":2,"scenario":"tiny","file":"scenarios/tiny.json","variant":"broken","seed":7,"title":"Tiny","lesson":"A lesson.","design":"d","duration_s":2.0,"nodes":[)"
    R"({"name":"web","zone":"z","roles":["users:clients"],"components":[{"component":"users","type":"clients","role":"clients"}]},)"
    R"({"name":"db-1","zone":"z","roles":["kv:primary"],"components":[{"component":"kv","type":"replica_group","role":"primary"}]},)"
    R"({"name":"db-2","zone":"z","roles":["kv:replica"],"components":[{"component":"kv","type":"replica_group","role":"replica"}]}],)"
    R"("clients":[{"name":"users","node":"web","target":"kv","sessions":2}],"checks":["stale_read"]})";

// The same run as version 1 wrote it: roles only.
const std::string kHeaderV1 =
    R"({"format":"faultlab-trace","version":1,"scenario":"tiny","file":"scenarios/tiny.json","variant":"broken","seed":7,"title":"Tiny","lesson":"A lesson.","design":"d","duration_s":2.0,"nodes":[{"name":"web","zone":"z","roles":["users:clients"]},{"name":"db-1","zone":"z","roles":["kv:primary"]},{"name":"db-2","zone":"z","roles":["kv:replica"]}],"clients":[{"name":"users","node":"web","target":"kv","sessions":2}],"checks":["stale_read"]})";

const std::string kEvents =
    R"({"t":0,"ev":"state","node":"db-1","component":"kv","role":"primary","applied":0}
{"t":0,"ev":"state","node":"db-2","component":"kv","role":"replica","applied":0}
{"t":0.1,"ev":"op","op":0,"type":"invoke","process":0,"client":"users","f":"write","key":"x","value":1}
{"t":0.1,"ev":"send","msg":1,"from":"web","to":"db-1","kind":"write","op":0,"size":10}
{"t":0.2,"ev":"deliver","msg":1,"from":"web","to":"db-1","kind":"write","op":0}
{"t":0.2,"ev":"state","node":"db-1","component":"kv","applied":1,"key":"x","value":1}
{"t":0.2,"ev":"send","msg":2,"from":"db-1","to":"web","kind":"write_reply","op":0,"size":10}
{"t":0.2,"ev":"send","msg":3,"from":"db-1","to":"db-2","kind":"replicate","size":10}
{"t":0.25,"ev":"fault","name":"cut","type":"partition","phase":"start","details":{"groups":{"left":["db-1"],"right":["db-2"]}}}
{"t":0.25,"ev":"drop","msg":3,"from":"db-1","to":"db-2","kind":"replicate","reason":"partition"}
{"t":0.3,"ev":"deliver","msg":2,"from":"db-1","to":"web","kind":"write_reply","op":0}
{"t":0.3,"ev":"op","op":0,"type":"ok","process":0,"client":"users","f":"write","key":"x","value":1,"node":"db-1"}
{"t":0.4,"ev":"op","op":1,"type":"invoke","process":1,"client":"users","f":"read","key":"x"}
{"t":0.45,"ev":"node","node":"db-2","status":"down"}
{"t":0.5,"ev":"op","op":1,"type":"fail","process":1,"client":"users","f":"read","key":"x","node":"db-2","error":"timeout"}
{"t":0.6,"ev":"op","op":2,"type":"invoke","process":0,"client":"users","f":"read","key":"x"}
{"t":0.7,"ev":"op","op":2,"type":"ok","process":0,"client":"users","f":"read","key":"x","value":null,"node":"db-2"}
{"t":0.7,"ev":"violation","check":"stale_read","ops":[0,2],"message":"read x and got nothing"}
{"t":0.8,"ev":"sparkle","node":"web"}
{"t":0.9,"ev":"node","node":"db-2","status":"up"}
{"t":1.0,"ev":"fault","name":"cut","type":"partition","phase":"end"}
{"t":1.5,"ev":"op","op":3,"type":"invoke","process":-1,"client":"users","f":"read","key":"x"}
{"t":2.0,"ev":"end","ops":{"ok":2,"fail":1,"info":0,"total":3},"counts":{"stale_read":1},"messages":{"sent":3,"delivered":2,"dropped":1}}
)";

// One node of each component type, one of a type this viewer does not know
// (pay-1), one that hosts a client group and a cache (edge), and one that
// nothing uses.
const std::string kMixHeader =
    R"({"format":"faultlab-trace","version":2,"nodes":[)"
    R"({"name":"web","roles":["u:clients"],"components":[{"component":"u","type":"clients","role":"clients"}]},)"
    R"({"name":"cache-1","roles":["cc:cache"],"components":[{"component":"cc","type":"cache","role":"cache"}]},)"
    R"({"name":"stock-db","roles":["stock:inventory"],"components":[{"component":"stock","type":"inventory","role":"inventory"}]},)"
    R"({"name":"lock-1","roles":["locks:locks"],"components":[{"component":"locks","type":"lock_service","role":"locks"}]},)"
    R"({"name":"api-1","roles":["api:service"],"components":[{"component":"api","type":"service","role":"instance"}]},)"
    R"({"name":"db-1","roles":["orders:shard-1"],"components":[{"component":"orders","type":"sharded_store","role":"shard-1"}]},)"
    R"({"name":"db","roles":["cat:primary"],"components":[{"component":"cat","type":"replica_group","role":"primary"}]},)"
    R"({"name":"pay-1","roles":["payments:provider"],"components":[{"component":"payments","type":"payment_provider","role":"provider"}]},)"
    R"({"name":"edge","roles":["e:clients","ec:cache"],"components":[{"component":"e","type":"clients","role":"clients"},{"component":"ec","type":"cache","role":"cache"}]},)"
    R"({"name":"spare","roles":[],"components":[]}],"clients":[]})";

// The same nodes as version 1 listed them: the kind is inferred from the roles.
const std::string kMixHeaderV1 =
    R"({"format":"faultlab-trace","version":1,"nodes":[{"name":"web","roles":["u:clients"]},)"
    R"({"name":"cache-1","roles":["cc:cache"]},{"name":"stock-db","roles":["stock:inventory"]},)"
    R"({"name":"lock-1","roles":["locks:locks"]},{"name":"api-1","roles":["api:service"]},)"
    R"({"name":"db-1","roles":["orders:shard-1"]},{"name":"db","roles":["cat:primary"]},)"
    R"({"name":"pay-1","roles":["payments:provider"]},{"name":"edge","roles":["e:clients","ec:cache"]},)"
    R"({"name":"spare","roles":[]}],"clients":[]})";

// A cache race: op 0 reads k before the write (op 1), the write deletes the
// entry, then op 0's late cache_set fills it with the old value; ops 2 and 3
// read that stale entry from the cache.
const std::string kCacheEvents =
    R"({"t":0.1,"ev":"op","op":0,"type":"invoke","client":"u","f":"read","key":"k"}
{"t":0.2,"ev":"op","op":1,"type":"invoke","client":"u","f":"write","key":"k","value":5}
{"t":0.21,"ev":"state","node":"db","component":"cat","applied":1,"key":"k","value":5}
{"t":0.22,"ev":"state","node":"cache-1","component":"cc","key":"k","entries":0,"why":"delete"}
{"t":0.23,"ev":"op","op":1,"type":"ok","client":"u","f":"write","key":"k","value":5,"node":"db"}
{"t":0.29,"ev":"send","msg":1,"from":"web","to":"cache-1","kind":"cache_set","op":0,"size":1}
{"t":0.30,"ev":"deliver","msg":1,"from":"web","to":"cache-1","kind":"cache_set","op":0}
{"t":0.30,"ev":"state","node":"cache-1","component":"cc","key":"k","entries":1,"why":"fill"}
{"t":0.30,"ev":"op","op":0,"type":"ok","client":"u","f":"read","key":"k","value":null,"node":"db"}
{"t":0.4,"ev":"op","op":2,"type":"invoke","client":"u","f":"read","key":"k"}
{"t":0.41,"ev":"op","op":2,"type":"ok","client":"u","f":"read","key":"k","value":null,"node":"cache-1"}
{"t":0.5,"ev":"op","op":3,"type":"invoke","client":"u","f":"read","key":"k"}
{"t":0.51,"ev":"op","op":3,"type":"ok","client":"u","f":"read","key":"k","value":null,"node":"cache-1"}
{"t":0.51,"ev":"violation","check":"stale_cache","ops":[1,2,3],"message":"stale"}
{"t":1.0,"ev":"end"}
)";

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("faultlab-viz-test-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

inline NodeState state_of(const Trace& t, double time_s, const std::string& node) {
  for (const auto& ns : node_states_at(t, time_s))
    if (ns.name == node) return ns;
  FAIL("no node " << node);
  return NodeState{};
}

inline std::string error_of(const std::string& path) {
  try {
    load_trace(path);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

} // namespace
