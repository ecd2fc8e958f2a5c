// Registers the types listed in sim/components/CMakeLists.txt, in that
// order (builtin_types.inc is generated from the list).
#include "components/builtin.hpp"

#include "builtin_types.inc"

namespace faultlab::components {

void register_builtin() { register_listed_types(); }

} // namespace faultlab::components
