// A small EDN reader: every top-level form of a text, each value with its
// line and column, for the history reader (edn.cpp). Internal to history/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::history::edn {

struct Edn {
  // big_integer: an integer beyond 64 bits (kept as text: an error only where
  // a number is needed, so a big number in a field nobody reads is fine).
  enum class Kind {
    nil, boolean, integer, big_integer, floating, string, keyword, symbol, character, list, vector, map, set, tagged
  };
  Kind kind = Kind::nil;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;        // string, keyword (without ':'), symbol, character, tag, number as written
  std::vector<Edn> items;  // collections; a map alternates keys and values; tagged: the value
  std::size_t line = 0, column = 0;
};

// How a value is named in messages: scalars as written, collections by kind.
std::string describe(const Edn& value);

// Throws util::InputError "edn" at "NAME: line L, column C".
[[noreturn]] void fail_at(const std::string& name, std::size_t line, std::size_t column, const std::string& what);

struct Document {
  std::vector<Edn> forms;
  std::size_t end_line = 1, end_column = 1; // where the text ends
};

// Every top-level form of `text` (`name` stands for the file in messages).
Document read_all(const std::string& text, const std::string& name);

} // namespace faultlab::history::edn
