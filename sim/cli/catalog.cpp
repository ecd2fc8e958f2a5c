#include "cli/catalog.hpp"

#include "util/input_error.hpp"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace faultlab::cli {
namespace {

// A folder that holds at least one scenario file.
bool is_catalog(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return false;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.path().extension() == ".json") return true;
  return false;
}

} // namespace

CatalogLookup find_catalog() {
  CatalogLookup lookup;
  if (const char* env = std::getenv("FAULTLAB_CATALOG"); env != nullptr && *env != '\0') {
    // An explicit choice is not second-guessed: if it is wrong, say so.
    lookup.tried.push_back(std::string("$FAULTLAB_CATALOG (") + env + ")");
    if (is_catalog(env)) lookup.dir = env;
    return lookup;
  }
  lookup.tried.push_back("./scenarios");
  if (is_catalog("scenarios")) {
    lookup.dir = "scenarios";
    return lookup;
  }
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    // The executable sits at build/sim/cli/faultlab or in a bin/ folder:
    // look a few levels up for the checkout's scenarios/.
    fs::path dir = exe.parent_path();
    for (int level = 0; level < 5 && !dir.empty(); ++level, dir = dir.parent_path()) {
      fs::path candidate = dir / "scenarios";
      lookup.tried.push_back(candidate.string());
      if (is_catalog(candidate)) {
        lookup.dir = candidate.string();
        return lookup;
      }
      if (dir == dir.root_path()) break;
    }
  }
  return lookup;
}

std::string catalog_dir_or_throw() {
  CatalogLookup lookup = find_catalog();
  if (!lookup.dir.empty()) return lookup.dir;
  std::string tried;
  for (const auto& place : lookup.tried) tried += (tried.empty() ? "" : ", ") + place;
  throw util::InputError("no-catalog", "scenarios",
                         "no scenario catalog found (looked in: " + tried +
                             "); run from the faultlab checkout, set FAULTLAB_CATALOG to its scenarios/ folder, or "
                             "name scenario files");
}

} // namespace faultlab::cli
