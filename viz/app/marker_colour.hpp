// The violation-marker colour, on its own so that tests can check screenshots
// for it without including ImGui. Nothing else on screen uses it.
#pragma once

namespace faultlab::viz::palette {
constexpr int kViolationR = 255, kViolationG = 0, kViolationB = 200;
} // namespace faultlab::viz::palette
