// Reading an input file whole, with a limit on its size, so that a wrong
// argument (/dev/zero, a disk image, a folder) gets a clear error at once
// instead of reading until memory runs out.
#pragma once

#include <cstddef>
#include <string>

namespace faultlab::util {

// The file's bytes, a UTF-8 byte order mark at the start removed. Throws
// InputError: "not-a-file" for a folder, "no-file" when it cannot be opened,
// "over-limit" when it holds more than `max_bytes` (only that much, plus one
// byte, is ever read, so endless devices are refused too).
// `kind` names what the file should be ("history file"); `over_limit_hint`
// ends the over-limit message (how to raise the limit).
std::string read_input_file(const std::string& path, std::size_t max_bytes, const std::string& kind = "file",
                            const std::string& over_limit_hint = "");

// "64 MiB", "1.5 KiB", "12 bytes": a size for messages.
std::string format_size(std::size_t size_bytes);

} // namespace faultlab::util
