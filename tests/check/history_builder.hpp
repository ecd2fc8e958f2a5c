// A small helper to write hand-made histories readably in checker tests:
//
//   HistoryBuilder b;
//   const auto w = b.write(3, "profile:3", 17, 1.0, 2.013);
//   const auto r = b.read(3, "profile:3", 12, 2.100, 2.150);
//   const auto violations = check_read_your_writes(b.build(), {});
//
// Ops get ids 1, 2, 3… in the order they are added; `client` and `node` apply
// to the ops added after they are set.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "history/op.hpp"

namespace faultlab::testing {

struct HistoryBuilder {
  std::string client = "users";
  std::string node;
  history::History history;

  std::int64_t write(std::int64_t process, const std::string& key, std::optional<std::int64_t> value,
                     double invoke_s, double complete_s, history::Outcome outcome = history::Outcome::ok) {
    return add("write", process, key, value, invoke_s, complete_s, outcome, false);
  }
  std::int64_t read(std::int64_t process, const std::string& key, std::optional<std::int64_t> value,
                    double invoke_s, double complete_s, history::Outcome outcome = history::Outcome::ok) {
    return add("read", process, key, value, invoke_s, complete_s, outcome, false);
  }
  std::int64_t final_read(std::int64_t process, const std::string& key, std::optional<std::int64_t> value,
                          double invoke_s, double complete_s,
                          history::Outcome outcome = history::Outcome::ok) {
    return add("read", process, key, value, invoke_s, complete_s, outcome, true);
  }

  // Any other function: a purchase ("buy"), an endpoint's name, ...
  std::int64_t op(const std::string& f, std::int64_t process, const std::string& key,
                  std::optional<std::int64_t> value, double invoke_s, double complete_s,
                  history::Outcome outcome = history::Outcome::ok) {
    return add(f.c_str(), process, key, value, invoke_s, complete_s, outcome, false);
  }

  // Sorted by invoke time, ties by id, as History promises.
  history::History build() const {
    history::History sorted = history;
    std::stable_sort(sorted.ops.begin(), sorted.ops.end(), [](const history::Op& a, const history::Op& b) {
      return a.invoke_s != b.invoke_s ? a.invoke_s < b.invoke_s : a.id < b.id;
    });
    return sorted;
  }

private:
  std::int64_t add(const char* f, std::int64_t process, const std::string& key,
                   std::optional<std::int64_t> value, double invoke_s, double complete_s,
                   history::Outcome outcome, bool final_read) {
    history::Op op;
    op.id = static_cast<std::int64_t>(history.ops.size()) + 1;
    op.process = process;
    op.client = client;
    op.f = f;
    op.key = key;
    op.value = value;
    op.invoke_s = invoke_s;
    op.complete_s = complete_s;
    op.outcome = outcome;
    op.node = node;
    op.final_read = final_read;
    history.ops.push_back(op);
    return op.id;
  }
};

} // namespace faultlab::testing
