// What `faultlab check` reads: the file (within its size limit), its
// format, the history in it, and the register semantics the options ask for.
#pragma once

#include <string>

#include "check/linearizable.hpp"
#include "cli/check_command.hpp"
#include "history/op.hpp"

namespace faultlab::cli {

// A faultlab file's first line is a JSON object whose "format" starts with
// "faultlab-". A scenario file, or any other JSON document, is refused
// (util::InputError "wrong-format") with a word on what it is; anything else
// is EDN.
bool is_faultlab_jsonl(const std::string& text, const std::string& path);

history::History parse_history(const std::string& text, const std::string& path, bool jsonl, bool kv);

// --initial, --nil-read and --knossos; throws util::InputError "bad-option"
// for an --initial that is neither an integer nor nil.
check::RegisterSemantics semantics_from(const CheckArgs& args);

// One line for the report: "starts absent; a read of nil saw it absent".
std::string describe_semantics(const check::RegisterSemantics& semantics);

} // namespace faultlab::cli
