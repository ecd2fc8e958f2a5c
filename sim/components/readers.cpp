// Registers the types listed in sim/components/CMakeLists.txt, readers only
// (reader_types.inc is generated from the list).
#include "components/readers.hpp"

#include "scenario/component.hpp"

#include "reader_types.inc"

namespace faultlab::components {

void register_readers() { register_listed_readers(); }

} // namespace faultlab::components
