// "Details": the op or database lock wait picked on the timeline. A lock
// wait says who it waits behind, followed through the lock queue (the
// migration waiting behind the report), how long, how it ended, and its
// statement; an op says what it was and, when its statements reached a
// database, their lock waits and each statement's plan and rows examined.
#include "app/details_panel.hpp"

#include "app/lanes.hpp"
#include "app/palette.hpp"
#include "app/panels.hpp"
#include "app/text.hpp"
#include "trace_model/lock_waits.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace faultlab::viz {

namespace {
void heading(const std::string& s) {
  ImGui::TextColored(ImColor(palette::kCursor), "%s", s.c_str());
}

std::string seconds(double t_s) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f s", t_s);
  return buf;
}

void lock_wait_lines(const Trace& t, const LockWait& w) {
  const auto chain = wait_chain(t, w);
  for (std::size_t i = 0; i < chain.size(); ++i)
    wrapped_text(chain[i].words + (i + 1 < chain.size() ? "," : ""), i == 0 ? palette::kText : palette::kCursor);
  wrapped_text("waited " + seconds(w.t_end_s - w.t_start_s) + ", from " + seconds(w.t_start_s) + " to " +
                   seconds(w.t_end_s) + "; " + std::to_string(w.queue) + " in the queue when it began",
               palette::kTextDim);
  wrapped_text(w.ended, w.end == LockWait::End::timeout ? palette::kLockWaitTimeout : palette::kTextDim);
}
} // namespace

std::string picked_title(const Trace& t, const Picked& p) {
  if (p.lock_wait >= 0 && static_cast<std::size_t>(p.lock_wait) < t.lock_waits.size()) {
    const LockWait& w = t.lock_waits[static_cast<std::size_t>(p.lock_wait)];
    return "Lock wait on " + w.lock + " (" + w.component + " on " + t.lanes[w.lane].name + ")";
  }
  if (p.op >= 0) return "Op " + std::to_string(p.op);
  return "Details";
}

void draw_details_panel(const Trace& t, ViewState& state, const PanelRect& r) {
  const std::string title = picked_title(t, state.picked) + "###details";
  begin_panel(title.c_str(), r);
  const Picked& p = state.picked;
  if (p.lock_wait >= 0 && static_cast<std::size_t>(p.lock_wait) < t.lock_waits.size()) {
    const LockWait& w = t.lock_waits[static_cast<std::size_t>(p.lock_wait)];
    lock_wait_lines(t, w);
    if (w.query >= 0) {
      ImGui::Spacing();
      heading("The statement");
      wrapped_text(describe_query(t.queries[static_cast<std::size_t>(w.query)]));
    }
    if (const Op* op = w.op >= 0 ? t.find_op(w.op) : nullptr) {
      ImGui::Spacing();
      heading("Its op (" + t.lanes[op->lane].name + ")");
      wrapped_text(describe_op(*op), palette::kTextDim);
    }
  } else if (const Op* op = p.op >= 0 ? t.find_op(p.op) : nullptr) {
    wrapped_text(describe_op(*op));
    const auto waits = lock_waits_of_op(t, op->id);
    const auto queries = queries_of_op(t, op->id);
    for (const LockWait* w : waits) {
      ImGui::Spacing();
      heading("Waited for a lock on " + w->lock + " (" + w->component + ")");
      lock_wait_lines(t, *w);
    }
    if (!queries.empty()) {
      ImGui::Spacing();
      heading(queries.size() == 1 ? "Its statement" : "Its statements");
      for (const QueryEvent* q : queries)
        wrapped_text(describe_query(*q) + " (" + q->component + ", ended " + seconds(q->t_s) + ")");
    } else if (waits.empty() && !t.queries.empty()) {
      ImGui::Spacing();
      wrapped_text("No statement of this op reached a database's end in the trace.", palette::kTextDim);
    }
  } else {
    wrapped_text("Nothing picked: click an op or a lock wait on the timeline.", palette::kTextDim);
  }
  ImGui::Spacing();
  wrapped_text("Esc: back to the lesson", palette::kTextDim);
  ImGui::End();
}

} // namespace faultlab::viz
