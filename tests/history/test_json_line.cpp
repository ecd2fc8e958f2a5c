// The trace line builder: the bytes it writes, short lines and lines past
// its inline buffer alike, and that every line reads back as the JSON object
// it was meant to be.
#include "history/json_line.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string>

using faultlab::history::JsonLine;

TEST_CASE("a short trace line is written compactly, numbers in their shortest form") {
  JsonLine line(1.5, "send");
  line.integer("msg", 42).str("from", "db-1").num("lag_s", 0.1).boolean("ok", true).raw("ops", "[1,2]");
  CHECK(line.done() == R"({"t":1.5,"ev":"send","msg":42,"from":"db-1","lag_s":0.1,"ok":true,"ops":[1,2]})");
}

TEST_CASE("escapes in values and keys, and numbers that JSON cannot hold") {
  JsonLine line(std::numeric_limits<double>::infinity(), "state");
  line.str("why", "a \"quoted\" \\ path\n\ttab\x01").str("we\"ird", "x").num("nan", std::nan("")).boolean("no", false);
  CHECK(line.done() ==
        R"({"t":null,"ev":"state","why":"a \"quoted\" \\ path\n\ttab\u0001","we\"ird":"x","nan":null,"no":false})");
}

TEST_CASE("a line longer than the inline buffer keeps every byte, whatever piece crosses the boundary") {
  // Lines of every length around the buffer's size: the text that crosses
  // it may be a key, a plain value, an escaped one or the closing brace.
  for (std::size_t n = 150; n < 320; ++n) {
    CAPTURE(n);
    const std::string plain(n, 'p');
    const std::string with_escape = std::string(n / 2, 'e') + "\"" + std::string(n / 2, 'f');
    JsonLine line(2.0, "op");
    line.str("plain", plain).str("escaped", with_escape).integer("n", static_cast<std::int64_t>(n));
    JsonLine moved = std::move(line);
    const std::string text = moved.done();
    const std::string expected = R"({"t":2,"ev":"op","plain":")" + plain + R"(","escaped":")" +
                                 std::string(n / 2, 'e') + "\\\"" + std::string(n / 2, 'f') + R"(","n":)" +
                                 std::to_string(n) + "}";
    CHECK(text == expected);
    const auto parsed = nlohmann::json::parse(text);
    CHECK(parsed["plain"] == plain);
    CHECK(parsed["escaped"] == with_escape);
  }
}
