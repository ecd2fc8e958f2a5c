// The metrics panel's database rows: per database, its sampled levels over
// the run (disk used against the disk's size, memory against the node's,
// connections and running statements, statements waiting for a lock), and
// one row for the autoscalers (instances in service, and with those still
// provisioning, against what each wanted), the lags (a service's event loop
// in ms, a consumer group's in messages) and the services' waits for a
// pooled connection (waits that got one, and timeouts, per second). Same
// time axis as the client plots: the visible window is shaded and the
// cursor drawn on each.
#include "app/palette.hpp"
#include "app/panels.hpp"
#include "trace_model/lock_waits.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
constexpr std::size_t kMaxDatabaseRows = 2; // a limit: the panel has room for so many
constexpr std::size_t kMaxPoolPlots = 4;

void mark_view(const ViewState& st, const Metrics& m) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const float pad = ImGui::GetStyle().FramePadding.x;
  const double span_s = m.bucket_s * static_cast<double>(m.throughput_per_s.size());
  if (span_s <= 0) return;
  auto x_of = [&](double t) {
    return a.x + pad + static_cast<float>(std::clamp(t / span_s, 0.0, 1.0)) * (b.x - a.x - 2.f * pad);
  };
  ImDrawList* d = ImGui::GetWindowDrawList();
  d->AddRectFilled({x_of(st.t0_s), a.y}, {x_of(st.t1_s), b.y}, palette::rgb(255, 255, 255, 22));
  d->AddLine({x_of(st.cursor_s), a.y}, {x_of(st.cursor_s), b.y}, palette::kCursor, 2.f);
}

// A dashed horizontal line at `value` on the plot just drawn: a size limit.
void limit_line(float value, float hi, ImU32 colour) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImVec2 pad = ImGui::GetStyle().FramePadding;
  const float y = b.y - pad.y - (b.y - a.y - 2.f * pad.y) * std::clamp(value / hi, 0.f, 1.f);
  for (float x = a.x + pad.x; x < b.x - pad.x; x += 12.f)
    ImGui::GetWindowDrawList()->AddLine({x, y}, {std::min(x + 7.f, b.x - pad.x), y}, colour, 2.f);
}

void plot(const char* id, const std::vector<float>& v, const std::string& overlay, float hi, ImVec2 size,
          ImU32 colour) {
  ImGui::PushStyleColor(ImGuiCol_PlotLines, colour);
  ImGui::PlotLines(id, v.data(), static_cast<int>(v.size()), 0, overlay.c_str(), 0.f, std::max(hi, 1e-3f), size);
  ImGui::PopStyleColor();
}

// "db disk 1.2 GiB / 100 GiB" (the highest level, then the size; the plot's
// dashed red line), or without a size "db disk 1.2 GiB".
std::string level_title(const std::string& name, const std::string& what, float max_used, double size) {
  return name + what + " " + format_bytes(max_used) + (size > 0 ? " / " + format_bytes(size) : "");
}
} // namespace

int resource_rows(const Metrics& m) {
  return static_cast<int>(std::min(m.databases.size(), kMaxDatabaseRows)) +
         (m.pools.empty() && m.scaling.empty() && m.lags.empty() ? 0 : 1);
}

void draw_resource_rows(const ViewState& st, const Metrics& m, const std::string& tag, float plot_h) {
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float row_w = ImGui::GetContentRegionAvail().x;
  for (std::size_t i = 0; i < m.databases.size() && i < kMaxDatabaseRows; ++i) {
    const DatabaseSeries& d = m.databases[i];
    const std::string name = tag + d.component + " ";
    const ImVec2 size{(row_w - gap * 3.f) / 4.f, plot_h};
    ImGui::PushID(static_cast<int>(i));
    const float disk_hi = static_cast<float>(std::max<double>(d.disk_size, d.max_disk_used)) * 1.05f;
    plot("##disk", d.disk_used, level_title(name, "disk", d.max_disk_used, d.disk_size), disk_hi, size,
         palette::kReplicate);
    if (d.disk_size > 0) limit_line(static_cast<float>(d.disk_size), disk_hi, palette::kFail);
    mark_view(st, m);
    ImGui::SameLine();
    const float mem_hi = static_cast<float>(std::max<double>(d.memory_size, d.max_memory_used)) * 1.05f;
    plot("##mem", d.memory_used, level_title(name, "memory", d.max_memory_used, d.memory_size), mem_hi, size,
         palette::kReplicate);
    if (d.memory_size > 0) limit_line(static_cast<float>(d.memory_size), mem_hi, palette::kFail);
    mark_view(st, m);
    ImGui::SameLine();
    char title[160];
    float run_max = 0.f;
    for (float r : d.running)
      run_max = std::max(run_max, r);
    std::snprintf(title, sizeof title, "%sconns %.0f, stmts %.0f", name.c_str(), d.max_connections,
                  run_max);
    const float conn_hi = std::max(d.max_connections, run_max) * 1.1f + 1.f;
    plot("##conn", d.connections, title, conn_hi, size, palette::kRequest);
    overlay_series(d.running, 0.f, conn_hi, palette::kReply);
    mark_view(st, m);
    ImGui::SameLine();
    std::snprintf(title, sizeof title, "%slock waiters (max %.0f)", name.c_str(), d.max_lock_waiting);
    plot("##lockw", d.lock_waiting, title, d.max_lock_waiting * 1.1f + 1.f, size, palette::kLockWait);
    mark_view(st, m);
    ImGui::PopID();
  }
  if (m.pools.empty() && m.scaling.empty() && m.lags.empty()) return;
  // One row, four plots at most: the autoscalers, the lags (event loops,
  // consumer groups), then the pools.
  const std::size_t scalers = std::min(m.scaling.size(), kMaxPoolPlots);
  const std::size_t lags = std::min(m.lags.size(), kMaxPoolPlots - scalers);
  const std::size_t shown = std::min(m.pools.size(), kMaxPoolPlots - scalers - lags);
  const std::size_t plots = scalers + lags + shown;
  const ImVec2 size{(row_w - gap * static_cast<float>(plots - 1)) / static_cast<float>(plots), plot_h};
  std::size_t drawn = 0;
  const bool more = m.scaling.size() + m.lags.size() + m.pools.size() > plots;
  auto next = [&](int id) {
    if (drawn++) ImGui::SameLine();
    ImGui::PushID(id);
  };
  // The last plot of a full row says that more did not fit.
  auto tail = [&] { return drawn == plots && more ? " (more not shown)" : ""; };
  char title[200];
  for (std::size_t i = 0; i < scalers; ++i) {
    const ScalingPlot& p = m.scaling[i];
    next(static_cast<int>(200 + i));
    std::snprintf(title, sizeof title, "%s%s: serving, +booting, wanted (max %.0f)%s", tag.c_str(),
                  p.service.c_str(), p.max_instances, tail());
    const float hi = p.max_instances * 1.15f + 1.f;
    plot("##scale", p.provisioning, title, hi, size, palette::kInfo);
    overlay_series(p.serving, 0.f, hi, palette::kOk);
    overlay_series(p.desired, 0.f, hi, palette::kRequest);
    mark_view(st, m);
    ImGui::PopID();
  }
  for (std::size_t i = 0; i < lags; ++i) {
    const LagPlot& p = m.lags[i];
    next(static_cast<int>(300 + i));
    if (p.loop)
      std::snprintf(title, sizeof title, "%s%s event-loop lag (max %.0f ms)%s", tag.c_str(), p.component.c_str(),
                    p.max, tail());
    else
      std::snprintf(title, sizeof title, "%s%s lag of %s (max %.0f msgs)%s", tag.c_str(), p.component.c_str(),
                    p.group.c_str(), p.max, tail());
    plot("##lag", p.values, title, p.max * 1.1f + 1e-3f, size, p.loop ? palette::kLockWait : palette::kReplicate);
    mark_view(st, m);
    ImGui::PopID();
  }
  for (std::size_t i = 0; i < shown; ++i) {
    const PoolSeries& p = m.pools[i];
    next(static_cast<int>(100 + i));
    std::snprintf(title, sizeof title, "%s%s pool for %s (%lld): %lld waits, %lld timeouts%s", tag.c_str(),
                  p.service.c_str(), p.pool.c_str(), static_cast<long long>(p.size),
                  static_cast<long long>(p.waits + p.timeouts), static_cast<long long>(p.timeouts),
                  tail());
    const float hi = p.max_per_s * 1.1f + 1e-3f;
    plot("##poolt", p.timeouts_per_s, title, hi, size, palette::kFail);
    overlay_series(p.waits_per_s, 0.f, hi, palette::kRequest);
    mark_view(st, m);
    ImGui::PopID();
  }
}

} // namespace faultlab::viz
