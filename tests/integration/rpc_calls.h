#ifndef RETURNPATH_TESTS_INTEGRATION_RPC_CALLS_H_
#define RETURNPATH_TESTS_INTEGRATION_RPC_CALLS_H_

// Every RPC of proto/returnpath/v1/services.proto as one call about a target,
// answering only the status: for the authorization matrix, where the question
// is who may call what on whom. Streams answer with their first message (OK)
// or their final status; every call has a 10 s deadline.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace returnpath::integration {

// Who calls: a channel (which may present a client certificate) and the
// `authorization` header to send ("" sends none).
struct Caller {
  std::shared_ptr<grpc::Channel> channel;
  std::string authorization;
};

// What a call is about; each RPC reads the fields it needs.
struct Target {
  std::string person;        // a person id; "" with AccessLog: everyone
  std::string task;          // a task id of `person`
  std::string queue;         // Poll, Subscribe, ListTasks, ListDeadLetters
  std::string index_prefix;  // ListPathways
  std::string centre;        // registering `person` at this centre...
  std::string region;        // ...in this region
  std::string principal;     // AdminService principal management
};

using RpcCall = std::function<grpc::Status(const Caller&, const Target&)>;

// Calls by label: "Service.Method", and for RecordEvent one label per event
// kind recorded, e.g. "PathwayService.RecordEvent travel-document". Task
// calls name the worker "matrix", which never holds a lease.
const std::map<std::string, RpcCall>& RpcCalls();

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_RPC_CALLS_H_
