// Swarm fault schedules for `faultlab explore`: from one seed, a fault
// timeline for a scenario, written as the scenario's own `faults` object so
// that it runs through the same reader, validation and fault actor as a
// hand-written one, and can be written back into a scenario file (shrink).
//
// Swarm style (as in TigerBeetle's VOPR): each seed first turns a random
// subset of the fault families on, then draws 1..kMaxFaults faults from
// those families only. A run with only pauses, or only drops, explores
// corners that a run mixing everything at once would hide.
//
// Every fault has a duration and ends before the workload does, so the
// system is whole again for the settle time and the final reads.
// Crashes, pauses, clock faults and slow CPUs hit the nodes that run
// components (never a client group's node: the clients are the observers);
// partitions, drops, delays, duplicates and reordering may involve any node.
#pragma once

#include "scenario/config.hpp"
#include "scenario/json_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace faultlab::explore {

// The fault families a schedule draws from, in a fixed order.
const std::vector<std::string>& fault_families();

constexpr int kMaxFaults = 5;

struct Schedule {
  std::vector<std::string> families; // the families this seed turned on, in fault_families() order
  scenario::Json faults;             // {name: fault}, as in a scenario file
};

// The schedule for `explore_seed` over the nodes and workload duration of
// `scenario` (its own faults are ignored). Deterministic: the same scenario
// nodes, duration and seed give the same schedule on every platform.
Schedule make_schedule(const scenario::Scenario& scenario, std::uint64_t explore_seed);

// "x1-crash: crash db-1 from 3.200 s to 4.700 s": one line for a report.
std::string describe_fault(const scenario::Fault& fault);

// "1.234s": a duration as the scenario reader reads it, to the millisecond.
std::string duration_text(double seconds);

} // namespace faultlab::explore
