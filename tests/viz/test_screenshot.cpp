// faultlab-viz --screenshot under Xvfb, on real catalog runs: the PNG has the
// requested size, is not blank, and shows the violation-marker colour exactly
// when the run has violations to show.
#include "app/marker_colour.hpp"

#include <catch2/catch.hpp>
#include <stb_image.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct Image {
  int width = 0, height = 0;
  std::size_t distinct_colours = 0;
  std::size_t marker_pixels = 0;
  // The cursor's colour, left of the side panels and above the metrics: the cursor line.
  std::size_t cursor_pixels_in_timeline = 0;
  std::size_t cause_pixels_in_timeline = 0; // the selected violation's causal chain
  std::size_t buffer_full_pixels = 0;       // bars of full log buffers
};

Image read_png(const std::string& path) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &channels, 3);
  REQUIRE(data != nullptr);
  std::set<unsigned> colours;
  const std::size_t n = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char* p = data + i * 3;
    colours.insert(static_cast<unsigned>(p[0]) << 16 | static_cast<unsigned>(p[1]) << 8 | p[2]);
    if (p[0] == faultlab::viz::palette::kViolationR && p[1] == faultlab::viz::palette::kViolationG &&
        p[2] == faultlab::viz::palette::kViolationB)
      ++img.marker_pixels;
    if (p[0] == faultlab::viz::palette::kBufferFullR && p[1] == faultlab::viz::palette::kBufferFullG &&
        p[2] == faultlab::viz::palette::kBufferFullB)
      ++img.buffer_full_pixels;
    const std::size_t x = i % static_cast<std::size_t>(img.width),
                      y = i / static_cast<std::size_t>(img.width);
    const bool in_timeline = x < static_cast<std::size_t>(img.width) * 6 / 10 &&
                             y > static_cast<std::size_t>(img.height) / 10 &&
                             y < static_cast<std::size_t>(img.height) * 7 / 10;
    if (in_timeline && p[0] == faultlab::viz::palette::kCursorR && p[1] == faultlab::viz::palette::kCursorG &&
        p[2] == faultlab::viz::palette::kCursorB)
      ++img.cursor_pixels_in_timeline;
    if (in_timeline && p[0] == faultlab::viz::palette::kCauseR && p[1] == faultlab::viz::palette::kCauseG &&
        p[2] == faultlab::viz::palette::kCauseB)
      ++img.cause_pixels_in_timeline;
  }
  img.distinct_colours = colours.size();
  stbi_image_free(data);
  return img;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One scenario run per variant, shared by the test cases of this process.
class Fixture {
public:
  Fixture() {
    dir_ = fs::temp_directory_path() / ("faultlab-viz-shot-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

  // replica-lag's run of `variant` with seed 1.
  std::string trace(const std::string& variant) { return trace_of("replica-lag", variant); }

  std::string trace_of(const std::string& scenario, const std::string& variant) {
    const fs::path out = dir_ / (scenario == "replica-lag" ? variant + ".jsonl" : scenario + "-" + variant + ".jsonl");
    if (!fs::exists(out)) {
      const std::string cmd = std::string("'") + FAULTLAB_BINARY + "' run '" + FAULTLAB_SOURCE_DIR + "/scenarios/" +
                              scenario + ".json' --variant " + variant + " --seed 1 --trace '" + out.string() +
                              "' > /dev/null";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    return out.string();
  }

  // Runs faultlab-viz under Xvfb; returns its exit status, stderr in `err`.
  int viz(const std::string& args, std::string* err = nullptr) {
    const fs::path err_file = dir_ / "stderr.txt";
    const std::string cmd = std::string("'") + FAULTLAB_XVFB_RUN + "' -a -s '-screen 0 1600x1000x24' '" +
                            FAULTLAB_VIZ_BINARY + "' " + args + " > /dev/null 2> '" + err_file.string() + "'";
    const int status = std::system(cmd.c_str());
    if (err) *err = slurp(err_file);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

private:
  fs::path dir_;
};

// Shared by every section of a test case (sections re-enter the test case).
Fixture& fixture() {
  static Fixture fx;
  return fx;
}

} // namespace

TEST_CASE("screenshots of the replica-lag runs show violation markers exactly when there are violations") {
  Fixture& fx = fixture();
  const std::string broken = fx.trace("broken");
  const std::string fixed = fx.trace("fixed");

  SECTION("broken, fit-all: requested size, not blank, markers") {
    const std::string png = (fx.dir() / "broken.png").string();
    REQUIRE(fx.viz("'" + broken + "' --screenshot '" + png + "' --size 1280x720") == 0);
    const Image img = read_png(png);
    CHECK(img.width == 1280);
    CHECK(img.height == 720);
    CHECK(img.distinct_colours > 200);
    CHECK(img.marker_pixels > 50);
  }
  SECTION("broken, zoomed on a selected violation") {
    const std::string png = (fx.dir() / "broken-sel.png").string();
    REQUIRE(fx.viz("'" + broken + "' --screenshot '" + png + "' --size 1600x900 --select-violation 3") == 0);
    const Image img = read_png(png);
    CHECK(img.width == 1600);
    CHECK(img.height == 900);
    CHECK(img.marker_pixels > 50);
  }
  SECTION("fixed, read-your-writes only: the fix leaves nothing to mark") {
    // The fixed design still reports stale reads by other sessions (the staleness
    // it accepts), so the check that the fix is about is selected.
    const std::string png = (fx.dir() / "fixed.png").string();
    REQUIRE(fx.viz("'" + fixed + "' --screenshot '" + png + "' --size 1280x720 --checks read_your_writes") ==
            0);
    const Image img = read_png(png);
    CHECK(img.width == 1280);
    CHECK(img.height == 720);
    CHECK(img.distinct_colours > 200);
    CHECK(img.marker_pixels == 0);
  }
  SECTION("broken, read-your-writes only: still marked") {
    const std::string png = (fx.dir() / "broken-ryw.png").string();
    REQUIRE(fx.viz("'" + broken + "' --screenshot '" + png + "' --size 1280x720 --checks read_your_writes") ==
            0);
    CHECK(read_png(png).marker_pixels > 50);
  }
  SECTION("fixed, all checks: its accepted stale reads are marked too") {
    const std::string png = (fx.dir() / "fixed-all.png").string();
    REQUIRE(fx.viz("'" + fixed + "' --screenshot '" + png + "' --size 1280x720") == 0);
    CHECK(read_png(png).marker_pixels > 0);
  }
  SECTION("compare mode renders both runs") {
    const std::string png = (fx.dir() / "compare.png").string();
    REQUIRE(fx.viz("'" + broken + "' '" + fixed + "' --screenshot '" + png + "' --size 1280x720") == 0);
    const Image img = read_png(png);
    CHECK(img.width == 1280);
    CHECK(img.marker_pixels > 50);
  }
}

TEST_CASE("a selected violation's causal chain is drawn on the timeline, and only then") {
  Fixture& fx = fixture();
  const std::string broken = fx.trace("broken");
  const std::string selected = (fx.dir() / "cause-sel.png").string();
  REQUIRE(fx.viz("'" + broken + "' --screenshot '" + selected + "' --size 1600x900 --select-violation 1") == 0);
  CHECK(read_png(selected).cause_pixels_in_timeline > 100);
  const std::string plain = (fx.dir() / "cause-none.png").string();
  REQUIRE(fx.viz("'" + broken + "' --screenshot '" + plain + "' --size 1600x900") == 0);
  CHECK(read_png(plain).cause_pixels_in_timeline == 0);
}

TEST_CASE("a window without --at puts the cursor inside it, and header overrides load") {
  Fixture& fx = fixture();
  const std::string broken = fx.trace("broken");
  SECTION("--window 2:4: the cursor line is drawn (at the window's start, not at 0 s)") {
    const std::string png = (fx.dir() / "window.png").string();
    REQUIRE(fx.viz("'" + broken + "' --screenshot '" + png + "' --size 1280x720 --window 2:4") == 0);
    CHECK(read_png(png).cursor_pixels_in_timeline > 200);
  }
  SECTION("a selected violation outside the window: still a cursor in it") {
    const std::string png = (fx.dir() / "window-sel.png").string();
    REQUIRE(fx.viz("'" + broken + "' --screenshot '" + png +
                   "' --size 1280x720 --window 10:12 --select-violation 1") == 0);
    CHECK(read_png(png).cursor_pixels_in_timeline > 200);
  }
  SECTION("a trace whose header lists --set overrides renders, alone and compared") {
    const fs::path with_set = fx.dir() / "with-set.jsonl";
    {
      std::string text = slurp(broken);
      const std::size_t end_of_header = text.find('\n');
      REQUIRE(end_of_header != std::string::npos);
      text.insert(end_of_header - 1, R"(,"overrides":["components.profiles.lag=0ms"])");
      std::ofstream(with_set) << text;
    }
    const std::string png = (fx.dir() / "with-set.png").string();
    REQUIRE(fx.viz("'" + with_set.string() + "' --screenshot '" + png + "' --size 1600x900") == 0);
    CHECK(read_png(png).marker_pixels > 50);
    REQUIRE(fx.viz("'" + with_set.string() + "' '" + broken + "' --screenshot '" + png +
                   "' --size 1280x720") == 0);
    CHECK(read_png(png).marker_pixels > 50);
  }
}

// sync-logging: the broken design logs synchronously and has no buffer; the
// fixed one's bounded buffer fills ten times in seed 1 (its trace's
// log_buffer events), each time for a few tens of milliseconds, drawn at
// least 3 pixels wide so that a short one is still seen at fit-all.
TEST_CASE("a full log buffer is drawn as a bar on its instance's lane, and only when one filled") {
  Fixture& fx = fixture();
  const std::string fixed = (fx.dir() / "sync-fixed.png").string();
  REQUIRE(fx.viz("'" + fx.trace_of("sync-logging", "fixed-async") + "' --screenshot '" + fixed +
                 "' --size 1600x900") == 0);
  CHECK(read_png(fixed).buffer_full_pixels > 40);
  const std::string broken = (fx.dir() / "sync-broken.png").string();
  REQUIRE(fx.viz("'" + fx.trace_of("sync-logging", "broken") + "' --screenshot '" + broken +
                 "' --size 1600x900") == 0);
  const Image img = read_png(broken);
  CHECK(img.distinct_colours > 200);
  CHECK(img.buffer_full_pixels == 0);
}

TEST_CASE("screenshot mode fails clearly on a bad trace") {
  Fixture& fx = fixture();
  const fs::path cut = fx.dir() / "cut.jsonl";
  {
    const std::string text = slurp(fx.trace("broken"));
    std::ofstream(cut) << text.substr(0, text.size() / 2);
  }
  const std::string png = (fx.dir() / "cut.png").string();
  std::string err;
  CHECK(fx.viz("'" + cut.string() + "' --screenshot '" + png + "'", &err) == 1);
  CHECK_THAT(err, Catch::Contains(cut.string() + ":") && Catch::Contains("truncated"));
  CHECK_FALSE(fs::exists(png));

  CHECK(fx.viz("'" + (fx.dir() / "missing.jsonl").string() + "' --screenshot '" + png + "'", &err) == 1);
  CHECK_THAT(err, Catch::Contains("missing.jsonl: cannot open the trace file"));

  CHECK(fx.viz("--screenshot '" + png + "'", &err) == 2);
  CHECK_THAT(err, Catch::Contains("no trace file given"));

  CHECK(fx.viz("'" + fx.trace("broken") + "' --screenshot '" + png + "' --select-violation 100000", &err) ==
        2);
  CHECK_THAT(err, Catch::Contains("--select-violation 100000: the trace shows only "));

  CHECK(fx.viz("'" + fx.trace("broken") + "' --screenshot '" + png + "' --window 5:2", &err) == 2);
  CHECK_THAT(err, Catch::Contains("--window: T1 must be after T0"));
}
