// The database registers its reader, its model, the driver of client groups
// that query it directly, and its summary metrics.
#include "components/database/model.hpp"
#include "components/database/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_database() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("database", &scenario::read_database,
                                            {"db_rows_examined", "db_lock_wait_max_s", "db_lock_timeouts",
                                             "db_statement_timeouts", "db_disk_used_fraction_max"});
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<DatabaseModel>(dynamic_cast<const scenario::Database&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target,
                        Components& components, Context& context, int node,
                        util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<DatabaseClient>(client, context, node, rng, components.get<DatabaseModel>(target.name));
  };
  type.metrics = [](const ModelStats& stats, std::vector<std::pair<std::string, double>>& out) {
    for (const char* name : {"db_rows_examined", "db_lock_wait_max_s", "db_lock_timeouts", "db_statement_timeouts",
                             "db_disk_used_fraction_max"}) {
      auto it = stats.values.find(name);
      out.emplace_back(name, it == stats.values.end() ? 0.0 : it->second);
    }
  };
  ModelTypes::instance().add("database", std::move(type));
}

} // namespace faultlab::components
