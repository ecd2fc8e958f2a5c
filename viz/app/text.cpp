#include "app/text.hpp"

#include <cfloat>

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

std::string ellipsize(const std::string& text, float width_px, float font_px) {
  ImFont* font = ImGui::GetFont();
  const float size = font_px > 0.f ? font_px : ImGui::GetFontSize();
  auto width = [&](const std::string& s) { return font->CalcTextSizeA(size, FLT_MAX, 0.f, s.c_str()).x; };
  if (width(text) <= width_px) return text;
  // The longest prefix that fits with the dots (widths grow with the prefix: bisect).
  std::vector<std::size_t> cuts; // character boundaries
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) cuts.push_back(i);
  auto with_dots = [&](std::size_t n) {
    std::string cut = text.substr(0, n);
    while (!cut.empty() && cut.back() == ' ')
      cut.pop_back();
    return cut + "...";
  };
  std::size_t lo = 0, hi = cuts.size(); // cuts[lo] fits (or lo == 0), cuts[hi] does not
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;
    if (width(with_dots(cuts[mid])) <= width_px)
      lo = mid;
    else
      hi = mid;
  }
  if (lo == 0) return width("...") <= width_px ? "..." : "";
  return with_dots(cuts[lo]);
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
