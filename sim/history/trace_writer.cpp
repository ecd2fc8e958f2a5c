#include "history/trace_writer.hpp"

#include <algorithm>
#include <functional>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace faultlab::history {

void TraceWriter::add(double t, std::string line) {
  if (!record_events_) return;
  if (static_cast<std::int64_t>(events_.size()) >= max_events_) {
    overflowed_ = true;
    return;
  }
  events_.push_back(Event{t, events_.size(), std::move(line)});
}

std::vector<const TraceWriter::Event*> TraceWriter::in_order(bool only_ops) const {
  std::vector<const Event*> order;
  order.reserve(events_.size());
  for (const auto& e : events_)
    if (!only_ops || e.line.find("\"ev\":\"op\"") != std::string::npos) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const Event* a, const Event* b) { return a->t < b->t; });
  return order;
}

void TraceWriter::for_each_in_order(const std::function<void(double, const std::string&)>& visit) const {
  for (const Event* e : in_order(false)) visit(e->t, e->line);
}

void TraceWriter::write_file(const std::string& path, const nlohmann::ordered_json& header, const nlohmann::ordered_json& end,
                             bool only_ops) const {
  const std::vector<const Event*> order = in_order(only_ops);
  // Streamed through a buffered FILE*: building the whole file in memory first
  // would double the peak memory of a traced run.
  write_atomically(path, [&](std::FILE* file) {
    auto put = [&](const std::string& line) {
      return std::fwrite(line.data(), 1, line.size(), file) == line.size() && std::fputc('\n', file) != EOF;
    };
    bool ok = put(header.dump());
    for (const Event* e : order) ok = ok && put(e->line);
    return ok && put(end.dump());
  });
}

void write_atomically(const std::string& path, const std::function<bool(std::FILE*)>& write) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  std::setvbuf(file, buffer.data(), _IOFBF, buffer.size());
  bool ok = write(file);
  ok = (std::fflush(file) == 0) && ok;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  write_atomically(path, [&](std::FILE* file) { return std::fwrite(text.data(), 1, text.size(), file) == text.size(); });
}

} // namespace faultlab::history
