// The billing service as SimGrid actors.
//
// A scheduler on the billing node wakes every minute and reads the node's
// WALL clock (Network::wall_time_s, which a `clock` fault steps), as cron
// does. It runs every job whose time fell between its previous reading and
// this one: a customer's renewal at "09:00" in the server's zone or in the
// customer's, and the end-of-day report at "00:30". So a clock stepped
// forward runs the jobs of the hours it skipped at once, and a clock stepped
// back runs again the jobs it had already run (cron does the same when the
// clock jumps by more than three hours).
//
// Every charge (renewals and the customers' one-off purchases) goes to the
// payment provider over the network. A charge that went through is stored
// as a row with `created_at` from the node's wall clock, in UTC; the report
// sums the rows whose created_at falls on the day it reports, a day bounded
// by midnight in the server's zone or in the business's. The rows are the
// billing's database: they survive a crash of the node.
//
// History: `renewal` ops (the scheduler's charges), `charged` ops (each row
// stored, at the true time), `daily_report` and `report_row` ops (what each
// report included); see sim/check/local_time.cpp.
#pragma once

#include "components/billing/messages.hpp"
#include "components/billing/spec.hpp"
#include "components/payment_provider/model.hpp"
#include "model/components.hpp"
#include "model/driver.hpp"
#include "model/rpc.hpp"
#include "model/server.hpp"

#include <string>
#include <vector>

namespace faultlab::model {

class BillingModel : public ComponentModel {
public:
  BillingModel(const scenario::Billing& spec, Components& components, Context& context);
  void start() override;
  const scenario::Billing& spec() const { return spec_; }
  int node() const { return server_.node(); }

  static constexpr double kTickS = 60.0; // the scheduler wakes once a minute

private:
  struct Row {
    int customer = 0;
    std::int64_t amount_cents = 0;
    double created_at_s = 0.0; // the node's wall clock when stored (seconds from time 0, UTC)
    std::int64_t op = 0;       // its `charged` op
  };
  struct Renewal {
    int customer = 0;
    std::int64_t day = 0; // the local date it is for, in the zone it was scheduled in
  };
  struct ChargeResult {
    bool ok = false;
    bool unknown = false;
    std::string error;
  };
  void serve();
  void run_scheduler();
  void renew(const Renewal& renewal);
  void report(std::int64_t day, double utc_offset_s);
  ChargeResult charge(Rpc& rpc, int customer, std::int64_t cents, const std::string& order,
                      const std::string& key, std::int64_t op);
  void store(int customer, std::int64_t cents);
  void trace(const std::string& key, const std::string& why);
  double zone_offset_s(int zone) const { return spec_.zones[static_cast<std::size_t>(zone)].utc_offset_s; }

  const scenario::Billing& spec_;
  Context& context_;
  const PaymentProviderModel& provider_;
  Server server_;
  Server scheduler_; // restarted with the node
  Rpc rpc_;
  Rpc job_rpc_;
  util::Rng rng_;
  std::vector<Row> rows_; // durable, in insertion order
  std::int64_t reports_ = 0;
};

class BillingClient : public ClientDriver {
public:
  BillingClient(const scenario::Client& spec, Context& context, int node, util::Rng& rng,
                const BillingModel& billing)
      : ClientDriver(spec, context, node, rng), billing_(billing) {}
  // Key number n is the billing's customer number n.
  std::string key_for(std::size_t index, const ClientRequest& request) override;
  void perform(const ClientRequest& request) override;

private:
  const BillingModel& billing_;
};

} // namespace faultlab::model
