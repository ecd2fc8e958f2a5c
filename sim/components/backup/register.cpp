// The backup type registers its reader and its model (clients do not target it).
#include "components/backup/model.hpp"
#include "components/backup/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_backup() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("backup", &scenario::read_backup);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components& components,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    const auto& backup = dynamic_cast<const scenario::Backup&>(spec);
    return std::make_unique<BackupModel>(backup, components.get<DatabaseModel>(backup.database), context);
  };
  ModelTypes::instance().add("backup", std::move(type));
}

} // namespace faultlab::components
