// A component that a service's endpoint calls through a connection of its
// own kind (a database's wire protocol), rather than as a key-value store or
// another service. The component's model implements Callee; the service
// finds it by name and hands it each call, with the connection the call
// holds (pooled or not), so that a new callable type needs no change in the
// service.
#pragma once

#include "history/op.hpp"
#include "model/rpc.hpp"

#include <cstdint>
#include <string>

namespace faultlab::model {

struct CallRequest {
  std::string op;          // what the endpoint's call names: a query, for a database
  std::string key;         // the call's key template, filled in for this user
  std::string caller;      // the calling component (a service), for lock and connection reports
  std::string connection;  // "<instance node>/<pool>#<slot>", or unique per call without a pool
  bool pooled = false;     // the connection stays open after the call
  std::int64_t history_op = -1; // the client op this call is part of
};

struct CallAnswer {
  history::Outcome outcome = history::Outcome::info; // info: no answer, or an answer that leaves it unknown
  std::string error;
  std::string node; // who answered
};

class Callee {
public:
  virtual ~Callee() = default;
  // Sends the call from `rpc`'s node and waits for its answer until `deadline_s`.
  virtual CallAnswer call(Rpc& rpc, const CallRequest& request, double deadline_s) = 0;
};

} // namespace faultlab::model
