// Turning one key's ops into what the linearizability search needs, with the
// reasoning about info ops done once, up front. Internal to check/.
#pragma once

#include <cstddef>
#include <vector>

#include "check/lin_search.hpp"
#include "history/op.hpp"

namespace faultlab::check::lin {

// `members` index read, write and cas ops of history.ops (one key, or the
// whole history for the register models). The result's `source` fields index
// history.ops.
//
//  - fail ops and info reads are left out: they tell nothing.
//  - An info write or cas is optional (it may or may not have taken effect).
//    It is left out when nothing could observe its value: no ok read returned
//    it, and no cas that could take part expects it. In a valid order such an
//    op is followed directly by a write (a read or cas right after it would
//    observe its value), so dropping it leaves a valid order.
//  - An info op that alone could have set a value that a mandatory op observed
//    (an ok read returned it, a mandatory cas expected it) must have taken
//    effect before that op did: it becomes mandatory, with an inferred return
//    at the earliest such observer's return.
//  - `initial` is what the register holds before any op: it is always a
//    possible origin of its value, so that value is never inferred.
std::vector<LinOp> prepare_ops(const history::History& history, const std::vector<std::size_t>& members,
                               const Value& initial);

} // namespace faultlab::check::lin
