#include "engine/rpc/call_observer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"

namespace returnpath::engine {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(std::shared_ptr<const CallHooks> hooks,
               grpc::experimental::ServerRpcInfo* info)
      : hooks_(std::move(hooks)),
        info_(info),
        started_(absl::Now()),
        read_messages_(
            hooks_->subjects != nullptr &&
            absl::StartsWith(info->method(), hooks_->message_prefix)) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA) &&
        hooks_->principal) {
      record_.principal = hooks_->principal(*info_->server_context());
    }
    if (read_messages_ && methods->QueryInterceptionHookPoint(
                              InterceptionHookPoints::POST_RECV_MESSAGE)) {
      AddSubjects(methods->GetRecvMessage());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void AddSubjects(void* message) {
    if (message == nullptr) return;  // the stream ended
    std::vector<std::string> found;
    // A generated message's only base is Message: the same address.
    hooks_->subjects(*static_cast<const google::protobuf::Message*>(message),
                     &found);
    for (std::string& id : found) {
      if (std::find(record_.subjects.begin(), record_.subjects.end(), id) ==
          record_.subjects.end()) {
        record_.subjects.push_back(std::move(id));
      }
    }
  }

  void Finish(const grpc::Status& status) {
    if (!hooks_->finished) return;
    record_.method = info_->method();
    record_.code = status.error_code();
    record_.reason = status.error_message();
    record_.latency = absl::Now() - started_;
    hooks_->finished(record_);
  }

  const std::shared_ptr<const CallHooks> hooks_;
  grpc::experimental::ServerRpcInfo* const info_;
  const absl::Time started_;
  const bool read_messages_;
  CallRecord record_;
};

class CallObserverFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallObserverFactory(CallHooks hooks)
      : hooks_(std::make_shared<const CallHooks>(std::move(hooks))) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserver(hooks_, info);
  }

 private:
  const std::shared_ptr<const CallHooks> hooks_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallObserver(CallHooks hooks) {
  return std::make_unique<CallObserverFactory>(std::move(hooks));
}

}  // namespace returnpath::engine
