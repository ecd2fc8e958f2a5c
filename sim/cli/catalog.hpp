// Where the scenario catalog is, wherever the command is run from.
//
// `faultlab list`, `verify` and `explain NAME` work on the catalog by
// default. A user who runs the binary by its full path from another folder
// still means the catalog of the checkout it was built from, so the lookup
// tries, in order: $FAULTLAB_CATALOG, ./scenarios, and a scenarios/ folder
// beside or above the executable (build/sim/cli/faultlab -> scenarios/).
#pragma once

#include <string>
#include <vector>

namespace faultlab::cli {

struct CatalogLookup {
  std::string dir;                 // "" when none was found
  std::vector<std::string> tried;  // every place looked at, in order, for the error message
};

CatalogLookup find_catalog();

// The catalog folder, or a util::InputError (id no-catalog) that says where it looked.
std::string catalog_dir_or_throw();

} // namespace faultlab::cli
