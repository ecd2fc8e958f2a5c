// A small, fast writer for one JSON object per line. Traces have millions of
// lines, so they are built straight into a string rather than through a DOM.
// Numbers use the shortest text that reads back to the same double, which
// also makes traces byte-identical from run to run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultlab::history {

void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, double value);

class JsonLine {
public:
  JsonLine(double t, std::string_view ev);
  JsonLine& str(std::string_view key, std::string_view value);
  JsonLine& num(std::string_view key, double value);
  JsonLine& integer(std::string_view key, std::int64_t value);
  JsonLine& boolean(std::string_view key, bool value);
  JsonLine& raw(std::string_view key, std::string_view json); // already-encoded JSON
  std::string done(); // moves the line out; the builder is spent

private:
  void key(std::string_view name);
  std::string out_;
};

} // namespace faultlab::history
