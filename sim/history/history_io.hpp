// Reading a history back from a faultlab trace or history file (JSON Lines).
// Used by tests, and by anything that checks a history after the fact.
#pragma once

#include "history/op.hpp"

#include <iosfwd>
#include <string>

namespace faultlab::history {

// Pairs each op's invoke with its completion. Throws util::InputError naming
// the file and line on malformed input.
History read_history_jsonl(const std::string& path);

// The same from a stream; `name` stands for the file in messages.
History parse_history_jsonl(std::istream& in, const std::string& path);

} // namespace faultlab::history
