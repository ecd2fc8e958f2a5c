// Colours, chosen for a projector: a near-black background, saturated marks,
// white text. kViolation is used by violation markers and nothing else, so a
// screenshot test can look for it.
#pragma once

#include "app/marker_colour.hpp"

#include <imgui.h>

namespace faultlab::viz::palette {

constexpr ImU32 rgb(int r, int g, int b, int a = 255) {
  return static_cast<ImU32>(r) | static_cast<ImU32>(g) << 8 | static_cast<ImU32>(b) << 16 |
         static_cast<ImU32>(a) << 24;
}

constexpr ImU32 kViolation = rgb(kViolationR, kViolationG, kViolationB);

constexpr ImU32 kBackground = rgb(14, 16, 22);
constexpr ImU32 kLaneEven = rgb(24, 28, 38);
constexpr ImU32 kLaneOdd = rgb(30, 35, 47);
constexpr ImU32 kLaneBorder = rgb(60, 66, 82);
constexpr ImU32 kText = rgb(240, 240, 240);
constexpr ImU32 kTextDim = rgb(170, 176, 190);
constexpr ImU32 kRuler = rgb(40, 44, 58);
constexpr ImU32 kGrid = rgb(52, 58, 74);

constexpr ImU32 kOk = rgb(60, 200, 95);
constexpr ImU32 kFail = rgb(240, 64, 52);
constexpr ImU32 kInfo = rgb(250, 180, 40);
constexpr ImU32 kPending = rgb(130, 130, 140);

constexpr ImU32 kRequest = rgb(110, 170, 255);
constexpr ImU32 kReply = rgb(175, 180, 205);
constexpr ImU32 kReplicate = rgb(60, 215, 215);
constexpr ImU32 kDrop = rgb(255, 80, 70);

// A database statement waiting for a lock: orange, paler when the wait ended in a timeout.
constexpr ImU32 kLockWait = rgb(235, 120, 50);
constexpr ImU32 kLockWaitTimeout = rgb(255, 175, 130);
constexpr ImU32 kPicked = rgb(255, 255, 255); // outline of the picked op or lock wait

constexpr ImU32 kDown = rgb(70, 70, 76, 215);
constexpr ImU32 kDownText = rgb(230, 230, 230);
constexpr ImU32 kPartition = rgb(255, 150, 40, 46);
constexpr ImU32 kPartitionEdge = rgb(255, 150, 40);
constexpr ImU32 kFaultBand = rgb(140, 120, 255, 40);
constexpr ImU32 kFaultEdge = rgb(160, 140, 255);

constexpr ImU32 kCursor = rgb(kCursorR, kCursorG, kCursorB);
constexpr ImU32 kSelection = rgb(255, 255, 255, 34);
constexpr ImU32 kHighlight = rgb(255, 255, 255);
// A selected violation's causal chain: its marks, arrows and fault outlines.
constexpr ImU32 kCause = rgb(kCauseR, kCauseG, kCauseB);
// The bar of a full log buffer (app/note_marks.cpp): a red of its own.
constexpr ImU32 kBufferFull = rgb(kBufferFullR, kBufferFullG, kBufferFullB);

} // namespace faultlab::viz::palette
