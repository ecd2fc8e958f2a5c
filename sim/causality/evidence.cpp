#include "causality/evidence.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>

namespace faultlab::causality {

namespace {
// Where the value of top-level `key` starts in `line`, or npos.
std::size_t value_start(std::string_view line, std::string_view key) {
  std::size_t from = 0;
  while (true) {
    const std::size_t at = line.find(key, from);
    if (at == std::string_view::npos) return at;
    from = at + 1;
    if (at < 2 || line[at - 1] != '"' || (line[at - 2] != '{' && line[at - 2] != ',')) continue;
    const std::size_t end = at + key.size();
    if (end + 1 < line.size() && line[end] == '"' && line[end + 1] == ':') return end + 2;
  }
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}
} // namespace

bool line_field(std::string_view line, std::string_view key, std::string& text) {
  std::size_t i = value_start(line, key);
  if (i == std::string_view::npos || i >= line.size()) return false;
  text.clear();
  if (line[i] != '"') {
    // A number, true, false or null: its text up to the next delimiter.
    const std::size_t end = line.find_first_of(",}", i);
    text.assign(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    return true;
  }
  for (++i; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] != '\\' || i + 1 >= line.size()) {
      text += line[i];
      continue;
    }
    const char c = line[++i];
    switch (c) {
    case 'n': text += '\n'; break;
    case 't': text += '\t'; break;
    case 'r': text += '\r'; break;
    case 'b': text += '\b'; break;
    case 'f': text += '\f'; break;
    case 'u':
      if (i + 4 < line.size()) {
        append_utf8(text, static_cast<unsigned>(std::strtoul(std::string(line.substr(i + 1, 4)).c_str(), nullptr, 16)));
        i += 4;
      }
      break;
    default: text += c; // \" \\ \/
    }
  }
  return true;
}

bool line_integer(std::string_view line, std::string_view key, std::int64_t& value) {
  std::string text;
  if (!line_field(line, key, text) || text.empty() || text[0] == '"') return false;
  char* end = nullptr;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0') return false;
  value = parsed;
  return true;
}

std::vector<std::string> FaultSpan::touched() const {
  if (!node.empty()) return {node};
  std::vector<std::string> out;
  for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  out.insert(out.end(), nodes.begin(), nodes.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool FaultSpan::touches(const std::string& who) const {
  if (who.empty()) return false;
  // A drop or a delay without targets acts on every message.
  if ((type == "drop" || type == "delay") && nodes.empty()) return true;
  const auto t = touched();
  return std::find(t.begin(), t.end(), who) != t.end();
}

bool FaultSpan::separates(const std::string& a, const std::string& b) const {
  int side_a = -1, side_b = -1;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (std::find(groups[g].begin(), groups[g].end(), a) != groups[g].end()) side_a = static_cast<int>(g);
    if (std::find(groups[g].begin(), groups[g].end(), b) != groups[g].end()) side_b = static_cast<int>(g);
  }
  return side_a >= 0 && side_b >= 0 && side_a != side_b;
}

Evidence::Evidence(const nlohmann::json& header, const history::History& history, std::set<std::int64_t> ops)
    : history_(history), wanted_ops_(ops.begin(), ops.end()) {
  for (std::size_t i = 0; i < history.ops.size(); ++i) {
    op_index_.emplace(history.ops[i].id, i);
    if (history.ops[i].f == "oom" || history.ops[i].f == "disk_full") incidents_.push_back(&history.ops[i]);
  }
  if (auto nodes = header.find("nodes"); nodes != header.end() && nodes->is_array()) {
    for (const auto& n : *nodes) {
      if (!n.is_object() || !n.contains("name") || !n["name"].is_string()) continue;
      const std::string name = n["name"].get<std::string>();
      nodes_.push_back(name);
      if (auto cs = n.find("components"); cs != n.end() && cs->is_array()) {
        for (const auto& c : *cs)
          if (c.is_object() && c.value("type", "") != "clients")
            component_nodes_[c.value("component", "")].push_back(name);
      } else if (auto roles = n.find("roles"); roles != n.end() && roles->is_array()) {
        for (const auto& r : *roles)
          if (r.is_string()) component_nodes_[r.get<std::string>().substr(0, r.get<std::string>().find(':'))].push_back(name);
      }
    }
  }
  if (auto clients = header.find("clients"); clients != header.end() && clients->is_array())
    for (const auto& c : *clients)
      if (c.is_object()) clients_[c.value("name", "")] = {c.value("node", ""), c.value("target", "")};
}

const history::Op* Evidence::op(std::int64_t id) const {
  const auto it = op_index_.find(id);
  return it == op_index_.end() ? nullptr : &history_.ops[it->second];
}

const std::vector<State>& Evidence::states(const std::string& node) const {
  static const std::vector<State> kNone;
  const auto it = states_.find(node);
  return it == states_.end() ? kNone : it->second;
}

const State* Evidence::first_apply(const std::string& node, const std::string& key, const std::string& value,
                                   double from_s) const {
  const auto it = applies_.find(node + '\n' + key + '\n' + value);
  if (it == applies_.end()) return nullptr;
  const std::vector<State>& of_node = states(node);
  for (std::size_t i : it->second)
    if (of_node[i].t_s >= from_s) return &of_node[i];
  return nullptr;
}

const State* Evidence::at_position(const std::string& node, std::int64_t position, double until_s) const {
  const auto it = positions_.find(node + '\n' + std::to_string(position));
  if (it == positions_.end()) return nullptr;
  const std::vector<State>& of_node = states(node);
  const State* last = nullptr;
  for (std::size_t i : it->second)
    if (of_node[i].t_s <= until_s) last = &of_node[i];
  return last;
}

const State* Evidence::position_at(const std::string& node, double t_s) const {
  const std::vector<State>& of_node = states(node);
  auto it = std::upper_bound(of_node.begin(), of_node.end(), t_s,
                             [](double t, const State& s) { return t < s.t_s; });
  while (it != of_node.begin()) {
    --it;
    if (it->applied >= 0) return &*it;
  }
  return nullptr;
}

const Discard* Evidence::first_discard(const std::string& key, const std::string& value, double from_s) const {
  const auto it = discards_by_value_.find(key + '\n' + value);
  if (it == discards_by_value_.end()) return nullptr;
  for (std::size_t i : it->second)
    if (discards_[i].t_s >= from_s) return &discards_[i];
  return nullptr;
}

const State* Evidence::last_fill(const std::string& node, const std::string& key, double until_s) const {
  const auto it = fills_.find(node + '\n' + key);
  if (it == fills_.end()) return nullptr;
  const std::vector<State>& of_node = states(node);
  // The indices are in time order: the last one at or before until_s.
  auto after = std::upper_bound(it->second.begin(), it->second.end(), until_s,
                                [&](double t, std::size_t i) { return t < of_node[i].t_s; });
  return after == it->second.begin() ? nullptr : &of_node[*std::prev(after)];
}

const State* Evidence::last_delete(const std::string& node, const std::string& key, double from_s,
                                   double before_s) const {
  const auto it = deletes_.find(node + '\n' + key);
  if (it == deletes_.end()) return nullptr;
  const std::vector<State>& of_node = states(node);
  auto after = std::lower_bound(it->second.begin(), it->second.end(), before_s,
                                [&](std::size_t i, double t) { return of_node[i].t_s < t; });
  if (after == it->second.begin()) return nullptr;
  const State& last = of_node[*std::prev(after)];
  return last.t_s >= from_s ? &last : nullptr;
}

const std::vector<MessageEvent>& Evidence::messages_of(std::int64_t op) const {
  static const std::vector<MessageEvent> kNone;
  const auto it = messages_.find(op);
  return it == messages_.end() ? kNone : it->second;
}

std::string Evidence::client_node(const std::string& client) const {
  const auto it = clients_.find(client);
  return it == clients_.end() ? "" : it->second.first;
}

std::string Evidence::client_target(const std::string& client) const {
  const auto it = clients_.find(client);
  return it == clients_.end() ? "" : it->second.second;
}

std::vector<std::string> Evidence::component_nodes(const std::string& component) const {
  const auto it = component_nodes_.find(component);
  return it == component_nodes_.end() ? std::vector<std::string>{} : it->second;
}

bool Evidence::is_node(const std::string& name) const {
  return std::find(nodes_.begin(), nodes_.end(), name) != nodes_.end();
}

void Evidence::add_fault(double t_s, std::string_view line) {
  const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (!j.is_object()) return;
  const std::string name = j.value("name", ""), type = j.value("type", ""), phase = j.value("phase", "");
  auto open_span = [&](auto match) -> FaultSpan* {
    for (auto it = faults_.rbegin(); it != faults_.rend(); ++it)
      if (it->end_s == history::kNever && match(*it)) return &*it;
    return nullptr;
  };
  if (phase == "end") {
    if (FaultSpan* f = open_span([&](const FaultSpan& s) { return s.name == name; })) f->end_s = t_s;
    return;
  }
  if (type == "heal") {
    // Ends the partition it names, or every partition.
    std::string healed;
    if (auto d = j.find("details"); d != j.end() && d->is_object()) healed = d->value("partition", "");
    for (FaultSpan& f : faults_)
      if (f.type == "partition" && f.end_s == history::kNever && (healed.empty() || f.name == healed)) f.end_s = t_s;
    return;
  }
  if (type == "restart") {
    const std::string node = j.value("node", "");
    if (FaultSpan* f = open_span([&](const FaultSpan& s) { return s.type == "crash" && s.node == node; }))
      f->end_s = t_s;
    return;
  }
  FaultSpan f;
  f.name = name;
  f.type = type;
  f.start_s = t_s;
  f.node = j.value("node", "");
  if (auto d = j.find("details"); d != j.end() && d->is_object()) {
    if (auto g = d->find("groups"); g != d->end() && g->is_object()) {
      for (const auto& [side, members] : g->items()) {
        f.group_names.push_back(side);
        std::vector<std::string> nodes;
        if (members.is_array())
          for (const auto& m : members)
            if (m.is_string()) nodes.push_back(m.get<std::string>());
        f.groups.push_back(std::move(nodes));
      }
    }
    if (auto n = d->find("nodes"); n != d->end() && n->is_array())
      for (const auto& m : *n)
        if (m.is_string()) f.nodes.push_back(m.get<std::string>());
    if (auto p = d->find("probability"); p != d->end() && p->is_number()) f.probability = p->get<double>();
    if (auto x = d->find("extra_s"); x != d->end() && x->is_number()) f.extra_s = x->get<double>();
  }
  faults_.push_back(std::move(f));
}

void Evidence::add_line(double t_s, std::string_view line) {
  std::string ev;
  if (!line_field(line, "ev", ev)) return;
  if (ev == "send" || ev == "deliver" || ev == "drop") {
    std::int64_t op = -1;
    if (!line_integer(line, "op", op) || !wanted_ops_.count(op)) return;
    MessageEvent m;
    m.t_s = t_s;
    m.ev = ev;
    line_field(line, "from", m.from);
    line_field(line, "to", m.to);
    line_field(line, "kind", m.kind);
    line_field(line, "reason", m.reason);
    messages_[op].push_back(std::move(m));
  } else if (ev == "state") {
    State s;
    s.t_s = t_s;
    line_field(line, "node", s.node);
    line_field(line, "component", s.component);
    line_field(line, "role", s.role);
    line_field(line, "key", s.key);
    line_field(line, "value", s.value);
    line_field(line, "why", s.why);
    line_integer(line, "applied", s.applied);
    line_integer(line, "term", s.term);
    if (!s.role.empty()) role_states_.push_back(s);
    std::vector<State>& of_node = states_[s.node];
    if (s.applied >= 0) {
      if (!s.key.empty()) applies_[s.node + '\n' + s.key + '\n' + s.value].push_back(of_node.size());
      positions_[s.node + '\n' + std::to_string(s.applied)].push_back(of_node.size());
    }
    if (!s.key.empty() && s.why.rfind("fill", 0) == 0 && s.why.rfind("fill refused", 0) != 0)
      fills_[s.node + '\n' + s.key].push_back(of_node.size());
    if (!s.key.empty() && s.why.rfind("delete", 0) == 0) deletes_[s.node + '\n' + s.key].push_back(of_node.size());
    of_node.push_back(std::move(s));
  } else if (ev == "node") {
    NodeStatus n;
    n.t_s = t_s;
    line_field(line, "node", n.node);
    line_field(line, "status", n.status);
    statuses_.push_back(std::move(n));
  } else if (ev == "fault") {
    add_fault(t_s, line);
  } else if (ev == "discard") {
    Discard d;
    d.t_s = t_s;
    line_field(line, "node", d.node);
    line_field(line, "key", d.key);
    line_field(line, "value", d.value);
    line_integer(line, "position", d.position);
    discards_by_value_[d.key + '\n' + d.value].push_back(discards_.size());
    discards_.push_back(std::move(d));
  } else if (ev == "lock_wait") {
    LockWait w;
    w.t_s = t_s;
    line_field(line, "node", w.node);
    line_field(line, "lock", w.lock);
    line_field(line, "who", w.who);
    line_field(line, "behind", w.behind);
    const std::size_t at = w.who.find("(op ");
    if (at != std::string::npos) w.op = std::strtoll(w.who.c_str() + at + 4, nullptr, 10);
    if (w.op >= 0 && !wanted_ops_.count(w.op)) return;
    lock_waits_.push_back(std::move(w));
  }
}

} // namespace faultlab::causality
