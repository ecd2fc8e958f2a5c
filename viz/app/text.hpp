// Wrapped text that breaks lines at spaces only. ImGui's own wrapping also
// breaks after punctuation, which splits numbers ("5.\n234 s") in messages.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace faultlab::viz {

// The lines of `text` at most `width_px` wide with the current font (a word
// longer than a line gets a line of its own). Newlines in `text` are kept.
std::vector<std::string> wrap_at_spaces(const std::string& text, float width_px);

// Height of the wrapped text, as wrapped_text() draws it.
float wrapped_height(const std::string& text, float width_px);

// `text` cut to at most `width_px` wide with the current font (or `font_px`
// when given), ending in "..." when cut. Cuts at UTF-8 character boundaries.
std::string ellipsize(const std::string& text, float width_px, float font_px = 0.f);

// Draws `text` wrapped to the available width, in `colour` (0: the style's).
// Returns the width of its last line (to put something after it).
float wrapped_text(const std::string& text, ImU32 colour = 0);

} // namespace faultlab::viz
