#include "cli/check_options.hpp"

namespace faultlab::cli {

CLI::App* add_check_command(CLI::App& app, CheckArgs& args) {
  auto* check = app.add_subcommand(
      "check", "Check a history from elsewhere (faultlab JSON Lines or Jepsen EDN) for linearizability");
  check->add_option("history", args.path, "History file: a faultlab trace/history, or a Jepsen EDN history")
      ->required();
  check->add_option("--model", args.model,
                    "The object the history is about (default for faultlab files: kv; EDN needs it)")
      ->check(CLI::IsMember({"register", "cas-register", "kv", "mutex", "multi-register"}));
  check->add_option("--budget-s", args.budget_s,
                    "Give up (exit 3) after this many seconds, reading the file included")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  check->add_option("--max-states", args.max_states,
                    "Give up (exit 3) when the search remembers this many states (16-32 bytes each)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  check->add_option("--max-input-mib", args.max_input_mib, "Refuse history files larger than this (MiB)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  check->add_option("--initial", args.initial,
                    "Every register's value before any op: an integer, or nil (absent; the default)");
  check->add_option("--nil-read", args.nil_read,
                    "A read of nil: absent (the register was absent; the default) or unknown (it tells nothing)")
      ->check(CLI::IsMember({"absent", "unknown"}));
  check->add_flag("--knossos", args.knossos,
                  "Knossos's semantics: registers start at 0 and a read of nil is unknown (--initial 0 --nil-read "
                  "unknown; either given on its own wins)");
  return check;
}

} // namespace faultlab::cli
