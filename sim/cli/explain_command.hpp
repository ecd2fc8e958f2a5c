// faultlab explain: a scenario told for a facilitator: the lesson, each
// variant's design, what to point at in the viewer, questions for the room.
#pragma once

#include <iosfwd>
#include <string>

namespace faultlab::cli {

// `name` is a catalog name ("replica-lag", looked up in `catalog_dir`, or in
// the catalog find_catalog() finds when that is empty) or a path to a
// scenario file. Returns 0, or 2 for an unknown name or bad file.
int command_explain(const std::string& name, const std::string& catalog_dir, std::ostream& out, std::ostream& err);

} // namespace faultlab::cli
