#ifndef RETURNPATH_ENGINE_RPC_REQUEST_DECODING_H_
#define RETURNPATH_ENGINE_RPC_REQUEST_DECODING_H_

// A request whose bytes do not decode is refused with INVALID_ARGUMENT naming
// the message type, not gRPC's answer.
//
// Why this exists: gRPC 1.51's callback handlers (CallbackUnaryHandler and
// CallbackServerStreamingHandler::RunHandler, `final`) answer a request that
// fails to deserialize with UNIMPLEMENTED and an empty message, before any of
// our code runs. A service can only change that by registering its own handler
// for the method, which is what DecodeGuards does: the handler is gRPC's own,
// built the way the generated code builds it, wrapped so that when decoding
// fails the request is cleared, marked, and answered by Refuse() before the
// service method is called. Decoding is refused before authentication, as gRPC
// does: the answer says nothing but that the bytes were not the message.

#include <memory>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpc/byte_buffer.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/impl/service_type.h"

namespace returnpath::engine {

namespace request_decoding {

// Marks a request that did not decode (an unknown field no .proto uses); a
// client sending that field itself only gets its own request refused.
void MarkUndecodable(google::protobuf::Message* request);
bool IsUndecodable(const google::protobuf::Message& request);
// INVALID_ARGUMENT "request: the bytes are not a <full type name> message".
grpc::Status Refusal(const google::protobuf::Message& request);
// The index of `method` in `service` (the .proto's order, as gRPC numbers
// them); aborts on a name the service does not declare, a wiring bug.
int MethodIndex(absl::string_view service, absl::string_view method);

// A stream answered with `status` and nothing else.
template <typename Response>
class RefusedStream final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

// gRPC's handler for one method, with the refusal above. `Holder` is the
// unary handler's grpc::MessageHolder, void for a streaming one.
template <typename Inner, typename Request, typename Holder>
class Guarded final : public grpc::internal::MethodHandler {
 public:
  explicit Guarded(Inner* inner) : inner_(inner) {}

  void RunHandler(const HandlerParameter& param) override {
    inner_->RunHandler(param);
  }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req,
                    grpc::Status* status, void** handler_data) override {
    void* request = inner_->Deserialize(call, req, status, handler_data);
    if (status->ok()) return request;
    // The unary handler keeps the half-decoded request in its holder.
    if constexpr (!std::is_void_v<Holder>) {
      static_cast<Holder*>(*handler_data)->Release();
    }
    // Decode nothing instead (a message of defaults, made where and as gRPC
    // makes it, so gRPC frees it as usual), then mark it.
    // Deserialize consumes the buffer it is given, as it does gRPC's.
    request = inner_->Deserialize(call, grpc_raw_byte_buffer_create(nullptr, 0),
                                  status, handler_data);
    if (!status->ok()) return request;
    MarkUndecodable(static_cast<Request*>(request));
    return request;
  }

 private:
  std::unique_ptr<Inner> inner_;
};

}  // namespace request_decoding

// In a service's constructor: DecodeGuards(this, "returnpath.v1.X")
//   .Method("Get", &XService::Get).Method("Watch", &XService::Watch);
// one line per RPC (unary or server streaming).
template <typename Service>
class DecodeGuards {
 public:
  DecodeGuards(Service* service, absl::string_view service_name)
      : service_(service), service_name_(service_name) {}

  template <typename Request, typename Response>
  DecodeGuards& Method(
      absl::string_view name,
      grpc::ServerUnaryReactor* (Service::*method)(grpc::CallbackServerContext*,
                                                   const Request*, Response*)) {
    Service* service = service_;
    using Inner = grpc::internal::CallbackUnaryHandler<Request, Response>;
    Install(
        name,
        new request_decoding::Guarded<Inner, Request,
                                      grpc::MessageHolder<Request, Response>>(
            new Inner([service, method](grpc::CallbackServerContext* ctx,
                                        const Request* request,
                                        Response* response) {
              if (request_decoding::IsUndecodable(*request)) {
                grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
                reactor->Finish(request_decoding::Refusal(*request));
                return reactor;
              }
              return (service->*method)(ctx, request, response);
            })));
    return *this;
  }

  template <typename Request, typename Response>
  DecodeGuards& Method(absl::string_view name,
                       grpc::ServerWriteReactor<Response>* (Service::*method)(
                           grpc::CallbackServerContext*, const Request*)) {
    Service* service = service_;
    using Inner =
        grpc::internal::CallbackServerStreamingHandler<Request, Response>;
    Install(name, new request_decoding::Guarded<Inner, Request, void>(new Inner(
                      [service, method](grpc::CallbackServerContext* ctx,
                                        const Request* request)
                          -> grpc::ServerWriteReactor<Response>* {
                        if (request_decoding::IsUndecodable(*request)) {
                          return new request_decoding::RefusedStream<Response>(
                              request_decoding::Refusal(*request));
                        }
                        return (service->*method)(ctx, request);
                      })));
    return *this;
  }

 private:
  // grpc::Service::MarkMethodCallback is protected; this names it publicly
  // (a member pointer to it is still one of grpc::Service).
  struct Access : grpc::Service {
    using grpc::Service::MarkMethodCallback;
  };

  void Install(absl::string_view name, grpc::internal::MethodHandler* handler) {
    grpc::Service* base = service_;
    (base->*&Access::MarkMethodCallback)(
        request_decoding::MethodIndex(service_name_, name), handler);
  }

  Service* service_;
  std::string service_name_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_REQUEST_DECODING_H_
