// Where copies of one person's data live, and the job that erases them when
// the person asks (GDPR article 17): a main database, object storage, a
// cache, an analytics warehouse, logs, a third-party processor, backups.
// Each store other than a source copies the data from another store on a
// schedule (an ETL, a nightly backup, log lines) for as long as that store
// still holds it; copies in a store with a retention age out; the erasure
// job reaches only the stores it is told to erase. Crypto-shredding: copies
// kept encrypted under the person's own key become unreadable when the
// store holding that key erases it.
#pragma once

#include "scenario/component.hpp"
#include "scenario/config.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faultlab::scenario {

struct PersonalData : ComponentSpec {
  struct Store {
    std::string name;
    std::string kind; // database, object_storage, cache, warehouse, logs, third_party, backup, key_store
    std::string node;
    std::string copied_from;           // "" : a source (the data is there from the start)
    double every_s = 86400;            // how often a copy is taken from copied_from
    std::optional<double> retention_s; // each copy ages out this long after it was taken
    double erase_s = 1;                // how long erasing the person's data there takes
    bool erased_by_job = false;        // the erasure job covers it
    bool encrypted = false;            // copies are encrypted under the person's key (in key_store)
  };

  std::string node;              // where the erasure job runs
  std::string person = "user-42";
  double request_at_s = 86400;   // when the person asks to be erased
  double deadline_s = 30 * 86400.0; // every copy gone this long after the request (GDPR: one month)
  double retry_s = 3600;         // the job tries a store again after a failure
  double timeout_s = 30;         // the job waits this long past the store's erase time
  std::string key_store;         // "" : no crypto-shredding
  std::vector<Store> stores;     // in name order

  const Store* find_store(const std::string& store) const;
  // Copy steps from its source (0 for a source); the job erases sources first,
  // so a copy it erased is not taken again from a source it has not reached yet.
  int depth(const Store& store) const;

  std::vector<NodeRole> node_roles() const override;
  std::vector<std::string> client_ops() const override { return {}; }
  ClientRules client_rules() const override;
  bool runs_by_itself() const override { return true; }
  void add_to_design(topo::Design& design, const Scenario& scenario) const override;
  std::string analyze_data_text() const override;
  std::string analyze_data_dot() const override;
  void add_checker_facts(check::CheckOptions& options) const override;
};

std::shared_ptr<ComponentSpec> read_personal_data(const std::string& name, ObjectReader& r, const Topology& topology);

} // namespace faultlab::scenario

namespace faultlab::components {
void register_personal_data();
} // namespace faultlab::components
