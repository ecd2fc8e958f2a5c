#include "app/text.hpp"

namespace faultlab::viz {

std::vector<std::string> wrap_at_spaces(const std::string& text, float width_px) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string para = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::string line;
    std::size_t i = 0;
    while (i < para.size()) {
      std::size_t end = para.find(' ', i);
      if (end == std::string::npos) end = para.size();
      const std::string word = para.substr(i, end - i);
      const std::string candidate = line.empty() ? word : line + " " + word;
      if (!line.empty() && ImGui::CalcTextSize(candidate.c_str()).x > width_px) {
        lines.push_back(line);
        line = word;
      } else {
        line = candidate;
      }
      i = end + 1;
    }
    lines.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

float wrapped_height(const std::string& text, float width_px) {
  return static_cast<float>(wrap_at_spaces(text, width_px).size()) * ImGui::GetTextLineHeight();
}

float wrapped_text(const std::string& text, ImU32 colour) {
  // One item of several lines, spaced like ImGui's own wrapped text.
  const auto lines = wrap_at_spaces(text, ImGui::GetContentRegionAvail().x);
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i)
    joined += (i ? "\n" : "") + lines[i];
  if (colour) ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextUnformatted(joined.c_str());
  if (colour) ImGui::PopStyleColor();
  return lines.empty() ? 0.f : ImGui::CalcTextSize(lines.back().c_str()).x;
}

} // namespace faultlab::viz
