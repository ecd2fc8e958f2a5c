// "explore: 40/200 runs done (3 failing), 12.3s elapsed, about 49.0s left"
// on stderr: \r updates on a terminal, otherwise a line every 5% of the
// runs, at least every 30 s, and at the end. (sweep keeps its own copy with
// the same wording.)
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>

namespace faultlab::cli {

class ProgressLine {
public:
  ProgressLine(std::ostream& err, std::string label, std::uint64_t total, bool enabled, bool tty)
      : err_(err), label_(std::move(label)), total_(total), enabled_(enabled), tty_(tty) {}

  // `note`: what to say after the count, e.g. "3 failing" ("" for nothing).
  void update(std::uint64_t done, const std::string& note = "") {
    if (!enabled_ || total_ == 0) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const bool due = done % std::max<std::uint64_t>(1, (total_ + 19) / 20) == 0 || done == total_ ||
                     std::chrono::duration<double>(now - last_line_).count() >= 30;
    if (!tty_ && !due) return;
    std::string line = label_ + ": " + std::to_string(done) + "/" + std::to_string(total_) + " runs done";
    if (!note.empty()) line += " (" + note + ")";
    line += ", " + seconds(elapsed) + " elapsed";
    if (done < total_ && done > 0)
      line += ", about " + seconds(elapsed / double(done) * double(total_ - done)) + " left";
    if (tty_) {
      const std::size_t pad = width_ > line.size() ? width_ - line.size() : 0;
      width_ = line.size();
      err_ << '\r' << line << std::string(pad, ' ') << (done == total_ ? "\n" : "") << std::flush;
    } else {
      err_ << line << "\n" << std::flush;
    }
    last_line_ = now;
  }

  double elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  static std::string seconds(double s) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, s < 60 ? "%.1fs" : "%.0fs", s);
    return buffer;
  }

private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  std::string label_;
  std::uint64_t total_;
  bool enabled_, tty_;
  std::size_t width_ = 0;
  Clock::time_point start_ = Clock::now(), last_line_ = start_;
};

} // namespace faultlab::cli
