// A small, fast writer for one JSON object per line. Traces have millions of
// lines, so they are built straight into a string rather than through a DOM.
// Numbers use the shortest text that reads back to the same double, which
// also makes traces byte-identical from run to run.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace faultlab::history {

void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, double value);

class JsonLine {
public:
  JsonLine(double t, std::string_view ev);
  // A move copies only the bytes written so far.
  JsonLine(JsonLine&& other) noexcept : used_(other.used_), spilled_(other.spilled_), big_(std::move(other.big_)) {
    std::memcpy(small_, other.small_, used_);
  }
  JsonLine& operator=(JsonLine&&) = delete;
  JsonLine& str(std::string_view key, std::string_view value);
  JsonLine& num(std::string_view key, double value);
  JsonLine& integer(std::string_view key, std::int64_t value);
  JsonLine& boolean(std::string_view key, bool value);
  JsonLine& raw(std::string_view key, std::string_view json); // already-encoded JSON
  std::string done(); // moves the line out; the builder is spent

private:
  void key(std::string_view name);
  void string_value(std::string_view text);
  // Most lines fit in `small_`, written with plain copies; a longer one
  // moves to `big_` and goes on there. (Appending to a std::string piece by
  // piece cost a tenth of a traced simulation.)
  void put(const char* data, std::size_t size) {
    if (!spilled_ && used_ + size <= sizeof small_) {
      std::memcpy(small_ + used_, data, size);
      used_ += size;
      return;
    }
    spill();
    big_.append(data, size);
  }
  void put(std::string_view text) { put(text.data(), text.size()); }
  void put(char c) {
    if (!spilled_ && used_ < sizeof small_) {
      small_[used_++] = c;
      return;
    }
    spill();
    big_ += c;
  }
  void spill();

  char small_[240];
  std::size_t used_ = 0;
  bool spilled_ = false;
  std::string big_;
};

} // namespace faultlab::history
