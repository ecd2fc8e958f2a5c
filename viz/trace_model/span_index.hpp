// Time-sorted index of spans (ops, messages) with visible-range queries and
// folding, after Tracy: find the first visible span with lower_bound, and when
// spans are narrower than a few pixels, jump over the whole run that fits in
// the fold width with another lower_bound, emitting one mark with a count.
// The cost per frame is then O(marks * log n), not O(spans).
#pragma once

#include <cstdint>
#include <vector>

namespace faultlab::viz {

// The visible time window of one frame.
struct ViewWindow {
  double t0_s = 0.0;
  double t1_s = 1.0;
  double px_per_s = 1.0;
};

// One drawable mark: a single span (count == 1) or a folded run.
struct Mark {
  double t_start_s = 0.0;
  double t_end_s = 0.0;
  std::uint32_t item = 0;  // the first item's index in the trace's global array
  std::uint32_t count = 0; // how many spans this mark stands for
  std::uint32_t n_a = 0;   // how many of them carry flag a (op: fail; message: dropped)
  std::uint32_t n_b = 0;   // flag b (op: info or pending)
};

class SpanIndex {
public:
  void add(std::uint32_t item, double t_start_s, double t_end_s, bool flag_a, bool flag_b);
  // Sorts by start, builds prefix counts. Call once after the last add().
  void finish();

  std::size_t size() const { return items_.size(); }
  double max_len_s() const { return max_len_s_; }
  std::uint32_t item(std::size_t i) const { return items_[i]; }
  double start(std::size_t i) const { return starts_[i]; }
  double end(std::size_t i) const { return ends_[i]; }

  // [first, last) of spans that may overlap [t0, t1] (start <= t1, start >= t0 - longest span).
  std::pair<std::size_t, std::size_t> visible(double t0_s, double t1_s) const;
  // How many spans start in (t0, t1]. Two binary searches.
  std::size_t count_starting(double t0_s, double t1_s) const;

  // Appends the marks for the visible window. Spans at least `min_px` wide are
  // their own mark; a run of narrower ones starting within `fold_px` of each
  // other becomes one mark.
  void fold(const ViewWindow& w, double min_px, double fold_px, std::vector<Mark>& out) const;

private:
  std::vector<std::uint32_t> items_;
  std::vector<double> starts_, ends_;
  std::vector<std::uint32_t> prefix_a_, prefix_b_; // counts of flags in [0, i)
  std::vector<std::uint8_t> flags_;                // bit 0: a, bit 1: b (before finish)
  double max_len_s_ = 0.0;
};

// Spans split by length: most are short and the range query can start at
// t0 - (longest short span); the few long ones (above twice the 99th percentile)
// live in their own small index so they do not widen every query.
class SplitSpanIndex {
public:
  void add(std::uint32_t item, double t_start_s, double t_end_s, bool flag_a, bool flag_b);
  void finish();
  void fold(const ViewWindow& w, double min_px, double fold_px, std::vector<Mark>& out) const;
  std::size_t size() const { return short_.size() + long_.size(); }
  std::size_t count_starting(double t0_s, double t1_s) const {
    return short_.count_starting(t0_s, t1_s) + long_.count_starting(t0_s, t1_s);
  }
  const SpanIndex& short_spans() const { return short_; }
  const SpanIndex& long_spans() const { return long_; }

private:
  struct Pending {
    std::uint32_t item;
    double t_start_s, t_end_s;
    bool a, b;
  };
  std::vector<Pending> pending_;
  SpanIndex short_, long_;
};

// Points (violations): fold runs closer than fold_px into one mark.
void fold_points(const std::vector<double>& times_s, const ViewWindow& w, double fold_px,
                 std::vector<Mark>& out);

} // namespace faultlab::viz
