#include "util/input_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "util/input_error.hpp"

namespace faultlab::util {

std::string format_size(std::size_t size_bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double size = static_cast<double>(size_bytes);
  int unit = 0;
  while (size >= 1024 && unit < 4) {
    size /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%zu bytes", size_bytes);
  } else {
    std::snprintf(text, sizeof text, "%.4g %s", size, units[unit]);
  }
  return text;
}

std::string read_input_file(const std::string& path, std::size_t max_bytes, const std::string& kind,
                            const std::string& over_limit_hint) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError("not-a-file", path, "this is a folder, not a " + kind);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("no-file", path, "cannot open the file (does it exist?)");
  std::string text;
  // Read in chunks up to one byte past the limit: the size a device reports
  // (0 for /dev/zero or a pipe) is not trusted.
  constexpr std::size_t kChunk = 1 << 20;
  while (in && text.size() <= max_bytes) {
    const std::size_t want = std::min(kChunk, max_bytes + 1 - text.size());
    const std::size_t had = text.size();
    text.resize(had + want);
    in.read(&text[had], static_cast<std::streamsize>(want));
    text.resize(had + static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > max_bytes)
    throw InputError("over-limit", path,
                     "expected a " + kind + " of at most " + format_size(max_bytes) + ", got a larger one" + over_limit_hint);
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  return text;
}

} // namespace faultlab::util
