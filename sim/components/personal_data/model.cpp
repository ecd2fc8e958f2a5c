#include "components/personal_data/model.hpp"

#include "history/op.hpp"
#include "engine/platform.hpp"
#include "model/invariant.hpp"

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace faultlab::model {

using scenario::PersonalData;

PersonalDataModel::PersonalDataModel(const PersonalData& spec, Context& context) : spec_(spec), context_(context) {
  job_node_ = context_.network.node_index(spec_.node);
  stores_.resize(spec_.stores.size());
  for (std::size_t i = 0; i < spec_.stores.size(); ++i) {
    StoreState& s = stores_[i];
    s.spec = &spec_.stores[i];
    s.node = context_.network.node_index(s.spec->node);
    s.server = std::make_unique<Server>(context_, s.node, spec_.name + "." + s.spec->name);
  }
}

PersonalDataModel::StoreState& PersonalDataModel::store(const std::string& name) {
  for (auto& s : stores_)
    if (s.spec->name == name) return s;
  FAULTLAB_INVARIANT(false, "unknown store " + name);
  return stores_.front();
}

void PersonalDataModel::record(const std::string& f, const std::string& key, std::optional<std::int64_t> value) {
  const double now = sg4::Engine::get_clock();
  const std::int64_t op = context_.recorder.invoke(now, 0, spec_.name, f, key, value);
  context_.recorder.complete(op, now, history::Outcome::ok, value, key == spec_.person ? spec_.node : store(key).spec->node);
}

void PersonalDataModel::take_copy(StoreState& s) {
  const double now = sg4::Engine::get_clock();
  std::optional<std::int64_t> ages_out;
  if (s.spec->retention_s) {
    s.expires_s = now + *s.spec->retention_s;
    ages_out = static_cast<std::int64_t>(std::ceil(s.expires_s));
  }
  // A copy that nothing ages out is recorded once; one that ages out, at
  // every copy (each pushes the date back).
  if (!s.holds || ages_out) record("copy", s.spec->name, ages_out);
  s.holds = true;
}

void PersonalDataModel::start() {
  for (auto& s : stores_) {
    StoreState* one = &s;
    if (s.spec->copied_from.empty()) take_copy(s); // a source holds the data from the start
    s.server->start([this, one] { serve(*one); });
    if (!s.spec->copied_from.empty())
      sg4::Actor::create(spec_.name + "." + s.spec->name + ".copier", context_.network.host(s.node), [this, one] {
        daemonize_self();
        copier(*one);
      });
    if (s.spec->retention_s)
      sg4::Actor::create(spec_.name + "." + s.spec->name + ".ager", sg4::Host::by_name(engine::kControlHost),
                         [this, one] {
                           daemonize_self();
                           ager(*one);
                         });
  }
  // Not a daemon: the run lasts the workload's duration, so copies can age out in it.
  sg4::Actor::create(spec_.name + ".job", context_.network.host(job_node_), [this] { erasure_job(); });
}

void PersonalDataModel::serve(StoreState& s) {
  while (true) {
    std::unique_ptr<engine::Envelope> request = s.server->receive();
    if (request->kind == personal_data_kinds::holds) {
      auto reply = std::make_unique<HoldsReply>();
      reply->holds = s.holds;
      s.server->reply(*request, personal_data_kinds::holds_reply, std::move(reply), 128);
    } else if (request->kind == personal_data_kinds::erase) {
      sg4::this_actor::sleep_for(s.spec->erase_s); // the store's own delete, or a processor's turnaround
      if (s.holds) {
        s.holds = false;
        s.expires_s = std::numeric_limits<double>::infinity();
      }
      record("erased", s.spec->name);
      if (s.spec->name == spec_.key_store) {
        // The person's key is gone: whatever is encrypted under it cannot be read any more.
        for (auto& other : stores_)
          if (other.spec->encrypted && other.holds) {
            other.holds = false;
            other.expires_s = std::numeric_limits<double>::infinity();
            record("unreadable", other.spec->name);
          }
      }
      s.server->reply(*request, personal_data_kinds::erase_reply, std::make_unique<EraseReply>(), 128);
    }
  }
}

void PersonalDataModel::copier(StoreState& s) {
  const StoreState& source = store(s.spec->copied_from);
  Rpc rpc(context_, s.node, spec_.name + "." + s.spec->name + ".copier");
  while (true) {
    sg4::this_actor::sleep_for(s.spec->every_s);
    std::unique_ptr<engine::Envelope> answer =
        rpc.call(source.node, spec_.name + "." + source.spec->name,
                 engine::envelope(personal_data_kinds::holds, std::make_unique<HoldsQuery>(), 128),
                 sg4::Engine::get_clock() + spec_.timeout_s);
    if (answer && answer->payload_as<HoldsReply>().holds) take_copy(s);
  }
}

void PersonalDataModel::ager(StoreState& s) {
  while (true) {
    const double now = sg4::Engine::get_clock();
    if (s.holds && s.expires_s <= now) {
      s.holds = false;
      s.expires_s = std::numeric_limits<double>::infinity();
      record("expired", s.spec->name);
    }
    sg4::this_actor::sleep_until(s.holds ? s.expires_s : now + s.spec->every_s);
  }
}

void PersonalDataModel::erasure_job() {
  const double end_s = context_.scenario.workload.duration_s;
  sg4::this_actor::sleep_until(spec_.request_at_s);
  record("erasure_request", spec_.person);
  Rpc rpc(context_, job_node_, spec_.name + ".job");
  std::vector<StoreState*> order;
  for (auto& s : stores_)
    if (s.spec->erased_by_job) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [this](const StoreState* a, const StoreState* b) { return spec_.depth(*a->spec) < spec_.depth(*b->spec); });
  for (StoreState* next : order) {
    StoreState& s = *next;
    bool done = false;
    while (!done && sg4::Engine::get_clock() < end_s) {
      const double t = sg4::Engine::get_clock();
      const std::int64_t op = context_.recorder.invoke(t, 0, spec_.name + ".job", "erase", s.spec->name, std::nullopt);
      std::unique_ptr<engine::Envelope> answer =
          rpc.call(s.node, spec_.name + "." + s.spec->name,
                   engine::envelope(personal_data_kinds::erase, std::make_unique<EraseRequest>(), 128),
                   t + s.spec->erase_s + spec_.timeout_s);
      done = answer != nullptr;
      // No answer: the store may or may not have erased (info); the job asks again later.
      context_.recorder.complete(op, sg4::Engine::get_clock(), done ? history::Outcome::ok : history::Outcome::info,
                                 std::nullopt, done ? s.spec->node : "", done ? "" : "timeout");
      if (!done) sg4::this_actor::sleep_for(spec_.retry_s);
    }
  }
  sg4::this_actor::sleep_until(end_s);
}

} // namespace faultlab::model
