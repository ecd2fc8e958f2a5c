#include "app/platform.hpp"

#include "app/app.hpp"
#include "app/palette.hpp"
#include "app/png.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

namespace faultlab::viz {

namespace {
GLFWwindow* g_window = nullptr;
int g_width = 0, g_height = 0;

// Readable from the back of a room: a real TrueType font when the system has
// one (Debian's fonts-dejavu-core), else ImGui's built-in font, scaled.
void setup_fonts(int height_px) {
  ImGuiIO& io = ImGui::GetIO();
  const float size_px = std::clamp(static_cast<float>(height_px) / 42.f, 15.f, 48.f);
  for (const char* path :
       {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"}) {
    if (std::ifstream(path).good() && io.Fonts->AddFontFromFileTTF(path, size_px)) return;
  }
  ImFontConfig cfg;
  cfg.SizePixels = std::round(size_px / 13.f) * 13.f;
  io.Fonts->AddFontDefault(&cfg);
}

void setup_style() {
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 0.f;
  s.FrameRounding = 3.f;
  s.WindowBorderSize = 1.f;
  s.Colors[ImGuiCol_WindowBg] = ImColor(palette::kBackground);
  s.Colors[ImGuiCol_ChildBg] = ImColor(palette::kBackground);
  s.Colors[ImGuiCol_Text] = ImColor(palette::kText);
  s.Colors[ImGuiCol_TitleBg] = ImColor(palette::rgb(34, 40, 56));
  s.Colors[ImGuiCol_TitleBgActive] = ImColor(palette::rgb(34, 40, 56));
  s.Colors[ImGuiCol_PlotLines] = ImColor(palette::kOk);
  s.Colors[ImGuiCol_FrameBg] = ImColor(palette::rgb(28, 32, 44));
  s.Colors[ImGuiCol_Header] = ImColor(palette::rgb(70, 70, 110));
  s.Colors[ImGuiCol_PopupBg] = ImColor(palette::rgb(20, 22, 30, 245));
}

// `mouse`: for headless frames, where the mouse is (the backend would say nowhere).
void new_frame(int w, int h, const ImVec2* mouse = nullptr) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  if (mouse) io.MousePos = *mouse;
  io.DisplaySize = {static_cast<float>(w), static_cast<float>(h)};
  io.DisplayFramebufferScale = {1.f, 1.f};
  ImGui::NewFrame();
}

void clear(int w, int h) {
  glViewport(0, 0, w, h);
  const ImVec4 bg = ImColor(palette::kBackground);
  glClearColor(bg.x, bg.y, bg.z, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
}
} // namespace

bool platform_init(const PlatformConfig& cfg, std::string& error) {
  glfwSetErrorCallback(nullptr);
  if (!glfwInit()) {
    error = "cannot open a window: no display (for a screenshot without one, run under xvfb-run -a)";
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_VISIBLE, cfg.visible ? GLFW_TRUE : GLFW_FALSE);
  g_window = glfwCreateWindow(cfg.width, cfg.height, cfg.title.c_str(), nullptr, nullptr);
  if (!g_window) {
    error = "cannot create an OpenGL 3 window";
    glfwTerminate();
    return false;
  }
  g_width = cfg.width;
  g_height = cfg.height;
  glfwMakeContextCurrent(g_window);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr; // the layout is fixed; nothing to save
  setup_style();
  setup_fonts(cfg.height);
  ImGui_ImplGlfw_InitForOpenGL(g_window, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  return true;
}

void platform_shutdown() {
  if (!g_window) return;
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(g_window);
  glfwTerminate();
  g_window = nullptr;
}

void run_interactive(App& app) {
  double last = glfwGetTime();
  while (!glfwWindowShouldClose(g_window)) {
    // Sleep until something happens unless playing back.
    if (app.state().playing)
      glfwPollEvents();
    else
      glfwWaitEventsTimeout(0.25);
    const double now = glfwGetTime();
    int w = 0, h = 0;
    glfwGetFramebufferSize(g_window, &w, &h);
    new_frame(w, h);
    app.frame(std::min(now - last, 0.1));
    last = now;
    ImGui::Render();
    clear(w, h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(g_window);
  }
}

bool render_screenshot(App& app, const std::string& png_path, int frames, std::string& error, float mouse_x,
                       float mouse_y) {
  const int w = g_width, h = g_height;
  // An offscreen framebuffer: the window may be hidden or smaller than the image.
  GLuint fbo = 0, colour = 0;
  glGenFramebuffers(1, &fbo);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo);
  glGenRenderbuffers(1, &colour);
  glBindRenderbuffer(GL_RENDERBUFFER, colour);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    error = "cannot create an offscreen framebuffer";
    return false;
  }
  using Clock = std::chrono::steady_clock;
  double ui_ms = 0.0, total_ms = 0.0;
  int timed = 0;
  for (int i = 0; i < frames; ++i) {
    const auto t0 = Clock::now();
    // No hover and no tooltip, unless asked for.
    const ImVec2 mouse = mouse_x >= 0 ? ImVec2{mouse_x, mouse_y} : ImVec2{-FLT_MAX, -FLT_MAX};
    new_frame(w, h, &mouse);
    app.frame(0.0);
    ImGui::Render();
    const auto t1 = Clock::now();
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    clear(w, h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
    if (i >= 2) { // the first frames build fonts and layout
      ui_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
      total_ms += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      ++timed;
    }
  }
  if (frames > 4)
    std::printf("%d frames: UI build %.2f ms, with GL render (software under Xvfb) %.2f ms per frame\n",
                timed, ui_ms / timed, total_ms / timed);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDeleteRenderbuffers(1, &colour);
  glDeleteFramebuffers(1, &fbo);
  return write_png_rgb(png_path, w, h, pixels, true, error);
}

} // namespace faultlab::viz
