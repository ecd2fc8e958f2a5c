// Colours that tests look for in screenshots, on their own so that the tests
// need not include ImGui. The violation-marker colour: nothing but violations
// uses it. The cursor colour: the cursor, and the yellow marks that explain a
// selected violation. The cause colour: the chain drawn for a selected violation.
// The buffer-full colour: the bar over an instance's lane while its log
// buffer was full, and nothing else.
#pragma once

namespace faultlab::viz::palette {
constexpr int kViolationR = 255, kViolationG = 0, kViolationB = 200;
constexpr int kCursorR = 255, kCursorG = 235, kCursorB = 60;
// A selected violation's causal chain (marks, arrows, outlined faults).
constexpr int kCauseR = 80, kCauseG = 255, kCauseB = 170;
// A service instance's log buffer while it was full (lines were dropped).
constexpr int kBufferFullR = 232, kBufferFullG = 40, kBufferFullB = 72;
} // namespace faultlab::viz::palette
