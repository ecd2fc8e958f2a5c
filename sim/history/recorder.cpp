#include "history/recorder.hpp"

#include "history/json_line.hpp"

#include <cassert>

namespace faultlab::history {

std::string op_event_line(const Op& op, bool invoke) {
  JsonLine line(invoke ? op.invoke_s : op.complete_s, "op");
  line.integer("op", op.id).str("type", invoke ? "invoke" : to_string(op.outcome));
  line.integer("process", op.process).str("client", op.client).str("f", op.f).str("key", op.key);
  if (op.value) line.integer("value", *op.value);
  if (op.expected) line.integer("expected", *op.expected);
  if (!invoke) {
    if (!op.node.empty()) line.str("node", op.node);
    if (!op.error.empty()) line.str("error", op.error);
    if (op.position) line.integer("position", *op.position);
    if (op.term) line.integer("term", *op.term);
  }
  if (op.final_read) line.boolean("final", true);
  return line.done();
}

std::int64_t Recorder::invoke(double t, std::int64_t process, const std::string& client, const std::string& f,
                              const std::string& key, std::optional<std::int64_t> value, bool final_read) {
  Op op;
  op.id = static_cast<std::int64_t>(ops_.size());
  op.process = process;
  op.client = client;
  op.f = f;
  op.key = key;
  op.value = f == "read" ? std::nullopt : value;
  op.invoke_s = t;
  op.final_read = final_read;
  if (trace_ && trace_->recording()) trace_->add(t, op_event_line(op, true));
  ops_.push_back(std::move(op));
  open_.push_back(1);
  return ops_.back().id;
}

void Recorder::complete(std::int64_t id, double t, Outcome outcome, std::optional<std::int64_t> value,
                        const std::string& node, const std::string& error, std::optional<std::int64_t> position,
                        std::optional<std::int64_t> term) {
  auto index = static_cast<std::size_t>(id);
  assert(index < ops_.size() && open_[index] && "an op completes exactly once");
  Op& op = ops_[index];
  op.complete_s = t;
  op.outcome = outcome;
  if (op.f == "read") op.value = outcome == Outcome::ok ? value : std::nullopt;
  op.node = node;
  op.error = error;
  op.position = position;
  op.term = term;
  open_[index] = 0;
  if (trace_ && trace_->recording()) trace_->add(t, op_event_line(op, false));
}

History Recorder::finish(double end_s) {
  for (std::size_t i = 0; i < ops_.size(); ++i)
    if (open_[i]) complete(static_cast<std::int64_t>(i), end_s, Outcome::info, std::nullopt, "", "never completed");
  History history;
  history.ops = std::move(ops_);
  ops_.clear();
  open_.clear();
  return history;
}

} // namespace faultlab::history
