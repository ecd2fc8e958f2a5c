// Every error id the code can emit is listed in README.md, so a user who
// meets `error[some-id]` can look it up. The ids are found in the sources
// the way they are written there: InputError("id", ...), fail("id", ...) and
// literal "error[id]" prefixes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::set<std::string> ids_in_sources(const fs::path& root) {
  static const std::regex call(R"re((?:InputError|fail)\(\s*"([a-z][a-z0-9-]*)")re");
  static const std::regex literal(R"re("error\[([a-z][a-z0-9-]*)\])re");
  std::set<std::string> ids;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
    const std::string text = read_all(entry.path());
    for (const std::regex* pattern : {&call, &literal})
      for (std::sregex_iterator it(text.begin(), text.end(), *pattern), end; it != end; ++it) ids.insert((*it)[1]);
  }
  return ids;
}

// The README lists ids in its "Ids:" paragraph, each in backquotes.
std::set<std::string> ids_in_readme(const std::string& readme) {
  std::set<std::string> ids;
  const auto start = readme.find("\nIds:");
  if (start == std::string::npos) return ids;
  const auto end = readme.find("\n\n", start + 1);
  const std::string list = readme.substr(start, end - start);
  static const std::regex quoted(R"(`([a-z][a-z0-9-]*)`)");
  for (std::sregex_iterator it(list.begin(), list.end(), quoted), stop; it != stop; ++it) ids.insert((*it)[1]);
  return ids;
}

} // namespace

TEST_CASE("every error id the code can emit is listed in README.md") {
  const fs::path source = FAULTLAB_SOURCE_DIR;
  const std::set<std::string> emitted = ids_in_sources(source / "sim");
  const std::set<std::string> listed = ids_in_readme(read_all(source / "README.md"));
  // The scan must find the ids it is meant to find, or it proves nothing.
  REQUIRE(emitted.count("bad-duration") == 1);
  REQUIRE(emitted.count("unknown-param-path") == 1);
  REQUIRE(emitted.size() > 20);
  REQUIRE(!listed.empty());
  for (const std::string& id : emitted) {
    INFO("error[" << id << "] can be emitted but README.md's \"Ids:\" list does not name it");
    CHECK(listed.count(id) == 1);
  }
  for (const std::string& id : listed) {
    INFO("README.md lists error[" << id << "], which no source emits");
    CHECK(emitted.count(id) == 1);
  }
}
