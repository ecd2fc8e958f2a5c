// Reading Jepsen and Knossos histories (EDN) into a faultlab History, so a
// history recorded by Jepsen against a real database can be checked here.
//
// Accepted: a vector (or list) of operation maps, as Knossos's test data and
// `(pr history)` write them, or a sequence of maps, one per line, as Jepsen's
// history.edn is. Each map has
//   :process  an integer; a keyword (:nemesis) marks a non-client op: skipped
//   :type     :invoke, :ok, :fail or :info
//   :f        :read, :write, :cas; :txn (Knossos's multi-register); :acquire,
//             :release (a mutex). Anything else is an error: silently
//             skipping ops could make a wrong history look right.
//   :value    read: the value observed, on the completion (nil: see the
//             checker's --nil-read); write: the value; cas: [expected new];
//             txn: [[:read :x nil] [:write :y 2] …] (:r, :w too), the
//             completion's reads carrying what they saw; acquire, release:
//             ignored;
//             kv histories: [key value], with the above as value, where key is
//             an integer, keyword or string (jepsen.independent tuples,
//             #jepsen.independent.Tuple{:key k :value v} is also understood)
//   :time     nanoseconds, optional: when any client op lacks it, every op uses
//             its position in the file (0, 1, 2, …) as its time in seconds
//   :index    optional: becomes the op id when every client op has one;
//             otherwise the op id is the invoke's position in the file
// A process's invoke is completed by its next :ok/:fail/:info; an invoke that
// never completes is :info (its effect is unknown). Other keys are ignored, and
// may hold any EDN (strings, sets, tagged literals like #inst or #object,
// decimals like 1.5M, ##Inf, integers beyond 64 bits). An op may be a record,
// #jepsen.history.Op{…}; a UTF-8 byte order mark at the start is skipped.
//
// Errors are util::InputError with id "edn" and where = "FILE: line L, column C".
#pragma once

#include <string>

#include "history/op.hpp"

namespace faultlab::history {

// Throws util::InputError: "no-file" if the file cannot be read, "edn" for
// anything wrong in it.
History read_edn_history(const std::string& path, bool kv);

// The same from text in memory; `name` stands for the file in messages.
History parse_edn_history(const std::string& text, const std::string& name, bool kv);

} // namespace faultlab::history
