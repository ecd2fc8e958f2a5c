#include "trace_model/span_index.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

namespace faultlab::viz {

void SpanIndex::add(std::uint32_t item, double t_start_s, double t_end_s, bool flag_a, bool flag_b) {
  items_.push_back(item);
  starts_.push_back(t_start_s);
  ends_.push_back(std::max(t_start_s, t_end_s));
  flags_.push_back(static_cast<std::uint8_t>((flag_a ? 1 : 0) | (flag_b ? 2 : 0)));
}

void SpanIndex::finish() {
  const std::size_t n = items_.size();
  if (!std::is_sorted(starts_.begin(), starts_.end())) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return starts_[a] < starts_[b]; });
    auto permute = [&](auto& v) {
      auto copy = v;
      for (std::size_t i = 0; i < n; ++i)
        v[i] = copy[order[i]];
    };
    permute(items_);
    permute(starts_);
    permute(ends_);
    permute(flags_);
  }
  prefix_a_.assign(n + 1, 0);
  prefix_b_.assign(n + 1, 0);
  max_len_s_ = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    prefix_a_[i + 1] = prefix_a_[i] + (flags_[i] & 1u);
    prefix_b_[i + 1] = prefix_b_[i] + ((flags_[i] >> 1) & 1u);
    max_len_s_ = std::max(max_len_s_, ends_[i] - starts_[i]);
  }
  flags_.clear();
  flags_.shrink_to_fit();
}

std::pair<std::size_t, std::size_t> SpanIndex::visible(double t0_s, double t1_s) const {
  const auto first = std::lower_bound(starts_.begin(), starts_.end(), t0_s - max_len_s_);
  const auto last = std::upper_bound(first, starts_.end(), t1_s);
  return {static_cast<std::size_t>(first - starts_.begin()),
          static_cast<std::size_t>(last - starts_.begin())};
}

std::size_t SpanIndex::count_starting(double t0_s, double t1_s) const {
  const auto first = std::upper_bound(starts_.begin(), starts_.end(), t0_s);
  const auto last = std::upper_bound(first, starts_.end(), t1_s);
  return static_cast<std::size_t>(last - first);
}

void SpanIndex::fold(const ViewWindow& w, double min_px, double fold_px, std::vector<Mark>& out) const {
  auto [i, last] = visible(w.t0_s, w.t1_s);
  const double fold_s = fold_px / w.px_per_s;
  const double min_s = min_px / w.px_per_s;
  while (i < last) {
    if (ends_[i] < w.t0_s) { // starts before the window and ends before it too
      ++i;
      continue;
    }
    const bool narrow = ends_[i] - starts_[i] < min_s;
    std::size_t j = i + 1;
    if (narrow) {
      // Jump over every span starting within fold_s: one lower_bound, not a loop.
      j = static_cast<std::size_t>(std::lower_bound(starts_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                                    starts_.begin() + static_cast<std::ptrdiff_t>(last),
                                                    starts_[i] + fold_s) -
                                   starts_.begin());
    }
    Mark m;
    m.t_start_s = starts_[i];
    m.t_end_s = std::max(ends_[i], ends_[j - 1]);
    m.item = items_[i];
    m.count = static_cast<std::uint32_t>(j - i);
    m.n_a = prefix_a_[j] - prefix_a_[i];
    m.n_b = prefix_b_[j] - prefix_b_[i];
    out.push_back(m);
    i = j;
  }
}

void SplitSpanIndex::add(std::uint32_t item, double t_start_s, double t_end_s, bool flag_a, bool flag_b) {
  pending_.push_back({item, t_start_s, t_end_s, flag_a, flag_b});
}

void SplitSpanIndex::finish() {
  double threshold_s = 0.0;
  if (!pending_.empty()) {
    std::vector<double> lengths;
    lengths.reserve(pending_.size());
    for (const auto& p : pending_)
      lengths.push_back(p.t_end_s - p.t_start_s);
    const std::size_t k = lengths.size() * 99 / 100;
    std::nth_element(lengths.begin(), lengths.begin() + static_cast<std::ptrdiff_t>(k), lengths.end());
    threshold_s = 2.0 * lengths[k]; // twice the 99th percentile: rounding noise stays short
  }
  for (const auto& p : pending_) {
    SpanIndex& target = p.t_end_s - p.t_start_s > threshold_s ? long_ : short_;
    target.add(p.item, p.t_start_s, p.t_end_s, p.a, p.b);
  }
  pending_.clear();
  pending_.shrink_to_fit();
  short_.finish();
  long_.finish();
}

void SplitSpanIndex::fold(const ViewWindow& w, double min_px, double fold_px, std::vector<Mark>& out) const {
  short_.fold(w, min_px, fold_px, out);
  long_.fold(w, min_px, fold_px, out);
}

void fold_points(const std::vector<double>& times_s, const ViewWindow& w, double fold_px,
                 std::vector<Mark>& out) {
  const double fold_s = fold_px / w.px_per_s;
  auto it = std::lower_bound(times_s.begin(), times_s.end(), w.t0_s);
  const auto last = std::upper_bound(it, times_s.end(), w.t1_s);
  while (it < last) {
    const auto next = std::lower_bound(it + 1, last, *it + fold_s);
    Mark m;
    m.t_start_s = *it;
    m.t_end_s = *(next - 1);
    m.item = static_cast<std::uint32_t>(it - times_s.begin());
    m.count = static_cast<std::uint32_t>(next - it);
    out.push_back(m);
    it = next;
  }
}

} // namespace faultlab::viz
