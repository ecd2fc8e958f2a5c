// The component types faultlab ships with.
#pragma once

namespace faultlab::components {

// Registers every built-in type (readers, models, drivers), once; safe to
// call again. Call it before loading a scenario: main() and the tests do.
void register_builtin();

} // namespace faultlab::components
