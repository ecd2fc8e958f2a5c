// "Nodes at <cursor>": one line per node, readable from the back of a room.
// Replicas keep their columns (role or status, applied position, last write);
// every other component gets its last state event in words; client hosts
// share one line at the bottom.
#include "app/node_panel.hpp"

#include "app/palette.hpp"
#include "app/text.hpp"
#include "trace_model/node_state.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
ImU32 status_colour(const std::string& status) {
  return status == "up" ? palette::kOk : status == "paused" ? palette::kInfo : palette::kFail;
}

void status_cell(const NodeState& ns) {
  ImGui::TextColored(ImColor(status_colour(ns.status)), "%s", ns.status.c_str());
}

struct Columns {
  float name_w = 0.f, status_w = 0.f;
};

// Replicas: one line each. The role column doubles as the status: a node that
// is down says so in colour instead of its role; a paused one keeps its role.
void replica_table(const std::vector<const NodeState*>& rows, const Columns& c) {
  if (rows.empty()) return;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("replicas", 4, flags)) return;
  ImGui::TableSetupColumn("replica", ImGuiTableColumnFlags_WidthFixed, c.name_w);
  ImGui::TableSetupColumn("role");
  ImGui::TableSetupColumn("applied");
  ImGui::TableSetupColumn("last write", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  for (const NodeState* ns : rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ns->name.c_str());
    ImGui::TableNextColumn();
    std::string role = ns->role;
    if (!role.empty() && ns->term >= 0) role += " t" + std::to_string(ns->term);
    if (ns->status == "up") {
      ImGui::TextColored(ImColor(palette::kTextDim), "%s", role.empty() ? "up" : role.c_str());
    } else {
      status_cell(*ns);
      // A paused node still believes its role: that is the lesson of a GC pause.
      if (ns->status == "paused" && !role.empty()) {
        ImGui::SameLine(0.f, 0.f);
        ImGui::TextColored(ImColor(palette::kInfo), ", %s", role.c_str());
      }
    }
    ImGui::TableNextColumn();
    if (ns->applied >= 0) {
      ImGui::Text("%lld", static_cast<long long>(ns->applied));
      if (ns->behind > 0) {
        ImGui::SameLine();
        ImGui::TextColored(ImColor(palette::kInfo), "%lld behind", static_cast<long long>(ns->behind));
      }
    }
    ImGui::TableNextColumn();
    if (!ns->last_key.empty()) ImGui::Text("%s=%s", ns->last_key.c_str(), ns->last_value.c_str());
  }
  ImGui::EndTable();
}

// What the row adds after the summary: how old it is, and the load (for a
// shard, also its share of its group's: the point of a hot shard).
std::string row_note(const NodeState& ns, double cursor_s, const std::vector<const NodeState*>& rows) {
  std::string note;
  char buf[96];
  if (ns.last_change_s >= 0 && cursor_s - ns.last_change_s >= 1.0) {
    std::snprintf(buf, sizeof buf, "%.1f s ago", cursor_s - ns.last_change_s);
    note = buf;
  }
  if (ns.messages_in_1s == 0) return note;
  std::snprintf(buf, sizeof buf, "in: %zu msg/s", ns.messages_in_1s);
  note += (note.empty() ? "" : ", ") + std::string(buf);
  if (ns.kind != ComponentKind::shard) return note;
  std::size_t group = 0;
  for (const NodeState* other : rows)
    if (other->kind == ComponentKind::shard && other->component == ns.component)
      group += other->messages_in_1s;
  if (group > ns.messages_in_1s) {
    std::snprintf(buf, sizeof buf, " (%.0f%%)",
                  100.0 * static_cast<double>(ns.messages_in_1s) / static_cast<double>(group));
    note += buf;
  }
  return note;
}

void component_table(const std::vector<const NodeState*>& rows, const Columns& c, double cursor_s) {
  if (rows.empty()) return;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("components", 3, flags)) return;
  ImGui::TableSetupColumn("node", ImGuiTableColumnFlags_WidthFixed, c.name_w);
  ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthFixed, c.status_w);
  ImGui::TableSetupColumn("last change", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  for (const NodeState* ns : rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ns->name.c_str());
    ImGui::TableNextColumn();
    status_cell(*ns);
    ImGui::TableNextColumn();
    // Before any event the summary only says what the node is: dim it.
    const float cell_w = ImGui::GetContentRegionAvail().x;
    const float last_w =
        wrapped_text(ns->summary, ns->last_change_s < 0 ? palette::kTextDim : palette::kText);
    const std::string note = row_note(*ns, cursor_s, rows);
    if (note.empty()) continue;
    // After the summary's last line when it fits there, else on a line of its own.
    const float gap = ImGui::GetFontSize();
    if (last_w + gap + ImGui::CalcTextSize(note.c_str()).x < cell_w) {
      const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
      ImGui::SetCursorScreenPos({lo.x + last_w + gap, hi.y - ImGui::GetTextLineHeight()});
    }
    ImGui::TextColored(ImColor(palette::kTextDim), "%s", note.c_str());
  }
  ImGui::EndTable();
}

// "client hosts: web, pricing-job": they only send; one line is enough.
void client_hosts_line(const std::vector<const NodeState*>& rows) {
  if (rows.empty()) return;
  std::string text = rows.size() == 1 ? "client host: " : "client hosts: ";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    text += (i ? ", " : "") + rows[i]->name;
    if (rows[i]->status != "up") text += " (" + rows[i]->status + ")";
  }
  const bool all_up =
      std::all_of(rows.begin(), rows.end(), [](const NodeState* n) { return n->status == "up"; });
  wrapped_text(text, all_up ? palette::kTextDim : palette::kInfo);
}
} // namespace

namespace {
// The panel's rows, split by kind, and the width of its shared columns.
struct Rows {
  std::vector<NodeState> states;
  std::vector<const NodeState*> replicas, others, clients;
  Columns c;
};

Rows split_rows(const Trace& trace, double cursor_s) {
  Rows r;
  r.states = node_states_at(trace, cursor_s);
  r.c.status_w = ImGui::CalcTextSize("paused").x;
  r.c.name_w = ImGui::CalcTextSize("replica").x;
  for (const NodeState& ns : r.states) {
    if (ns.kind == ComponentKind::clients) {
      r.clients.push_back(&ns);
      continue;
    }
    (ns.kind == ComponentKind::replica ? r.replicas : r.others).push_back(&ns);
    r.c.name_w = std::max(r.c.name_w, ImGui::CalcTextSize(ns.name.c_str()).x);
  }
  return r;
}
} // namespace

float node_panel_height(const Trace& trace, double cursor_s, float w) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const Rows r = split_rows(trace, cursor_s);
  const float row_h = ImGui::GetTextLineHeight() + st.CellPadding.y * 2.f;
  // The width of the "last change" column, as the table will lay it out.
  const float text_w =
      w - st.WindowPadding.x * 2.f - st.ScrollbarSize - r.c.name_w - r.c.status_w - st.CellPadding.x * 6.f;
  float h = static_cast<float>(r.replicas.size()) * row_h;
  for (const NodeState* ns : r.others) {
    const std::string text = ns->summary + "     " + row_note(*ns, cursor_s, r.others);
    h += static_cast<float>(wrap_at_spaces(text, std::max(text_w, 1.f)).size()) * ImGui::GetTextLineHeight() +
         st.CellPadding.y * 2.f;
  }
  h += (r.replicas.empty() ? 0.f : row_h) + (r.others.empty() ? 0.f : row_h); // header rows
  if (!r.clients.empty()) h += ImGui::GetTextLineHeightWithSpacing();
  return h + ImGui::GetFrameHeight() + st.WindowPadding.y * 2.f + st.ItemSpacing.y * 3.f;
}

void draw_node_state_panel(const Trace& trace, double cursor_s, float x, float y, float w, float h) {
  char title[64];
  std::snprintf(title, sizeof title, "Nodes at %.3f s###nodes", cursor_s);
  ImGui::SetNextWindowPos({x, y}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({w, h}, ImGuiCond_Always);
  ImGui::Begin(title, nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  const Rows r = split_rows(trace, cursor_s);
  replica_table(r.replicas, r.c);
  component_table(r.others, r.c, cursor_s);
  client_hosts_line(r.clients);
  ImGui::End();
}

} // namespace faultlab::viz
