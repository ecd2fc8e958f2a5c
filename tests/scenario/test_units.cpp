#include "util/units.hpp"

#include <catch2/catch.hpp>

using namespace faultlab::util;

TEST_CASE("durations are read with their unit") {
  CHECK(*parse_duration_s("250ms") == Approx(0.25));
  CHECK(*parse_duration_s("3s") == Approx(3.0));
  CHECK(*parse_duration_s("1.5s") == Approx(1.5));
  CHECK(*parse_duration_s("2min") == Approx(120.0));
  CHECK(*parse_duration_s("40us") == Approx(40e-6));
  CHECK(*parse_duration_s("0s") == 0.0);
}

TEST_CASE("durations without a unit, negative or malformed are refused") {
  CHECK_FALSE(parse_duration_s("3"));
  CHECK_FALSE(parse_duration_s("-3s"));
  CHECK_FALSE(parse_duration_s("3 s"));
  CHECK_FALSE(parse_duration_s("3sec"));
  CHECK_FALSE(parse_duration_s("s"));
  CHECK_FALSE(parse_duration_s(""));
  CHECK_FALSE(parse_duration_s("1e3ms"));
}

TEST_CASE("sizes, bandwidths and speeds") {
  CHECK(*parse_size_bytes("64KiB") == 65536.0);
  CHECK(*parse_size_bytes("1MB") == 1e6);
  CHECK_FALSE(parse_size_bytes("64"));
  CHECK(*parse_bandwidth_Bps("1Gbps") == Approx(125e6));
  CHECK(*parse_bandwidth_Bps("125MBps") == Approx(125e6));
  CHECK(*parse_speed_flops("2Gf") == 2e9);
}

TEST_CASE("durations print for people") {
  CHECK(format_duration(2.0134) == "2.013 s");
  CHECK(format_duration(0.0021) == "2.1 ms");
  CHECK(format_duration(40e-6) == "40 us");
}
