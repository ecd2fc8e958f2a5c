// GLFW + OpenGL 3 + Dear ImGui setup, the interactive loop, and headless
// rendering of one frame into an offscreen framebuffer for --screenshot.
#pragma once

#include <functional>
#include <string>

namespace faultlab::viz {

class App;

struct PlatformConfig {
  int width = 1920, height = 1080;
  bool visible = true;
  std::string title = "faultlab-viz";
};

// Opens the window and sets up ImGui. Returns false (with `error` set) when
// there is no display or no OpenGL 3.
bool platform_init(const PlatformConfig& cfg, std::string& error);
void platform_shutdown();

// Runs until the window is closed.
void run_interactive(App& app);

// Renders `frames` frames of the app at the configured size offscreen and
// writes the last to `png_path`. Returns false with `error` set on failure.
bool render_screenshot(App& app, const std::string& png_path, int frames, std::string& error,
                       float mouse_x = -1.f, float mouse_y = -1.f);

} // namespace faultlab::viz
