// Fuzz target: the viewer's trace loader (faultlab-viz's trace model, no
// ImGui): parse, validate and index a trace, then compute the metrics the
// viewer computes as it opens one. A viz::TraceError is the loader's answer
// to bad input; anything else is a finding.
#include "trace_model/load.hpp"
#include "trace_model/metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultlab::viz;
  try {
    const Trace trace = parse_trace(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.jsonl");
    compute_metrics(trace, 120);
  } catch (const TraceError&) {
  }
  return 0;
}
