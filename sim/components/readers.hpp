// The scenario readers of the built-in component types, without their models.
#pragma once

namespace faultlab::components {

// Registers the reader of every built-in type, in the order register_builtin()
// uses, so a program that only reads scenarios need not link the simulator.
// Safe to call again, and together with register_builtin().
void register_readers();

} // namespace faultlab::components
