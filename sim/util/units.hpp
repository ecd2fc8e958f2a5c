// Durations and sizes are written with units in scenario files ("250ms",
// "3s", "64KiB"). These parsers accept exactly that and nothing looser, so a
// unit-less or negative value is an error the user sees, not a silent guess.
#pragma once

#include <optional>
#include <string>

namespace faultlab::util {

// "250ms", "1.5s", "2min", "1h", "40us", "100ns", "0s" -> seconds. A number
// without a unit, a negative number or an unknown unit gives std::nullopt.
std::optional<double> parse_duration_s(const std::string& text);

// "64KiB", "1MB", "512B" -> bytes.
std::optional<double> parse_size_bytes(const std::string& text);

// "1Gbps", "125MBps", "10Mbps" -> bytes per second.
std::optional<double> parse_bandwidth_Bps(const std::string& text);

// "1Gf", "500Mf", "2.5Gf" -> floating-point operations per second.
std::optional<double> parse_speed_flops(const std::string& text);

// The regular expression (ECMA-262, for JSON Schema) of the text each
// parse_* function above accepts; generated from the same unit tables.
enum class Quantity { duration, size, bandwidth, speed };
std::string unit_pattern(Quantity quantity);

// Seconds as a short human string: "2.013 s", "850 ms", "40 us".
std::string format_duration(double seconds);
// "512 B", "3.2 MiB", "1.5 GiB": binary units, one decimal.
std::string format_bytes(double bytes);

} // namespace faultlab::util
