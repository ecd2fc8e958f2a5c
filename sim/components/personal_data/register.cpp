// Personal data registers its reader and its model; clients do not target
// it (its erasure job runs by itself).
#include "components/personal_data/model.hpp"
#include "components/personal_data/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_personal_data() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("personal_data", &scenario::read_personal_data);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<PersonalDataModel>(dynamic_cast<const scenario::PersonalData&>(spec), context);
  };
  ModelTypes::instance().add("personal_data", std::move(type));
}

} // namespace faultlab::components
