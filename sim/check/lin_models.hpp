// The models beside registers (mutex, multi-register), and what every model's
// check shares. Internal to check/.
#pragma once

#include <cstddef>
#include <string>

#include "check/lin_search.hpp"
#include "check/linearizable.hpp"

namespace faultlab::check::lin {

// Throws util::InputError "model" at the first op that belongs to another
// model (a txn in a register history, a read in a mutex history, …): checking
// such a history while ignoring those ops could make a wrong one look right.
void refuse_other_models(const history::History& history, Model model);

// The mutex: acquire and release, checked as a cas register that starts at 0
// (free) where acquire is cas 0 -> 1 and release is cas 1 -> 0 (lin_mutex.cpp).
LinResult check_mutex(const history::History& history, const LinearizabilityBudget& budget, const Limits& limits);

// Knossos's multi-register: txn ops over several registers (lin_txn.cpp).
LinResult check_multi_register(const history::History& history, const RegisterSemantics& semantics,
                               const LinearizabilityBudget& budget, const Limits& limits);

// Why a search that ran out of budget stopped, in words: `where` names the
// key (" on key x") or is empty.
std::string out_of_budget_reason(const SearchResult& found, const LinearizabilityBudget& budget,
                                 const std::string& where, std::size_t ops);

// Sorts the violations and sets the verdict from them and the reason.
void settle_verdict(LinResult& result);

} // namespace faultlab::check::lin
