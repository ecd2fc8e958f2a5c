// Personal data as SimGrid actors.
//
// Each store is a server on its own node that answers two requests: "do you
// hold the person's data?" and "erase it" (which takes the store's erase
// time). A store copied from another runs a copier on its node: every
// `every` it asks its source, through the network, and takes a copy when
// the source still holds the data (a partition or a crash means no copy that
// round). A store with a retention runs an ager that lets its copies go when
// the newest is that old. The erasure job, on its own node, asks each store
// it covers to erase, one after the other, trying again after `retry` when
// a store does not answer.
//
// What happened is in the history as ops of the component's name, which
// erasure_incomplete reads: `erasure_request` (key: the person), `copy`
// (key: the store; value: when, in whole seconds, that copy ages out, absent
// when nothing ages it out), `erased`, `expired` and `unreadable` (key: the
// store). The job's own attempts are `erase` ops of "<name>.job".
#pragma once

#include "components/personal_data/spec.hpp"
#include "engine/message.hpp"
#include "model/components.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"

#include <limits>
#include <memory>
#include <vector>

namespace faultlab::model {

struct HoldsQuery final : engine::Payload {};
struct HoldsReply final : engine::Payload {
  bool holds = false;
};
struct EraseRequest final : engine::Payload {};
struct EraseReply final : engine::Payload {};

namespace personal_data_kinds {
inline const engine::MessageKind holds = engine::message_kind<HoldsQuery>("holds_query");
inline const engine::MessageKind holds_reply = engine::message_kind<HoldsReply>("holds_reply");
inline const engine::MessageKind erase = engine::message_kind<EraseRequest>("erase");
inline const engine::MessageKind erase_reply = engine::message_kind<EraseReply>("erase_reply");
} // namespace personal_data_kinds

class PersonalDataModel : public ComponentModel {
public:
  PersonalDataModel(const scenario::PersonalData& spec, Context& context);
  void start() override;

private:
  struct StoreState {
    const scenario::PersonalData::Store* spec = nullptr;
    int node = -1;
    std::unique_ptr<Server> server;
    bool holds = false;
    double expires_s = std::numeric_limits<double>::infinity();
  };
  void serve(StoreState& store);
  void copier(StoreState& store);
  void ager(StoreState& store);
  void erasure_job();
  void take_copy(StoreState& store);
  void record(const std::string& f, const std::string& key, std::optional<std::int64_t> value = std::nullopt);
  StoreState& store(const std::string& name);

  const scenario::PersonalData& spec_;
  Context& context_;
  int job_node_ = -1;
  std::vector<StoreState> stores_; // the spec's order
};

} // namespace faultlab::model
