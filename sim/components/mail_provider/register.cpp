// The mail provider registers its reader, its model and the driver of
// client groups that send transactional emails through it.
#include "components/mail_provider/model.hpp"
#include "components/mail_provider/spec.hpp"
#include "model/registry.hpp"

namespace faultlab::components {

void register_mail_provider() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("mail_provider", &scenario::read_mail_provider);
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&,
                 Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<MailProviderModel>(dynamic_cast<const scenario::MailProvider&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target,
                        Components& components, Context& context, int node,
                        util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    return std::make_unique<MailClient>(client, context, node, rng,
                                        components.get<MailProviderModel>(target.name));
  };
  ModelTypes::instance().add("mail_provider", std::move(type));
}

} // namespace faultlab::components
