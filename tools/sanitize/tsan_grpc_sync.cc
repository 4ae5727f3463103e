// ThreadSanitizer builds only (cmake/sanitize.cmake links it into every binary).
//
// Debian's gRPC is compiled without TSan, so TSan cannot see how gRPC's core
// hands a completion-queue tag from the thread that starts an operation to the
// thread that completes it: the callback API's inline header code (reactors,
// call operation sets, their tags), compiled into our binaries, then writes a
// field on one thread and reads it on the other with no edge TSan knows of.
// gRPC promises that order: everything a thread did before it handed a tag to
// the core happens before the completion carrying that tag is returned.
//
// This library defines the C entry points that hand a tag over and give it back
// (loaded before libgrpc, the dynamic linker binds every caller, ours and
// libgrpc++'s, to it), tells TSan of that edge, keyed on the tag, and calls
// gRPC's own definition. The callback API's threads get every completion from
// grpc_completion_queue_next (libgrpc++'s "nexting" threads run the callback
// right after it), so each callback starts after the acquire.
//
// A server reactor's call counts its outstanding reactions in
// ServerCallbackCall::callbacks_outstanding_ and runs OnDone after the last
// one. Decrements made by the inline header code are instrumented atomics; those
// made inside libgrpc++ (after OnCancel, and when the ServerContext's completion
// op ends) are not, so TSan would see OnCancel and the delete in OnDone as
// unordered. Here OnCancel releases on that counter when it returns (before
// libgrpc++ decrements it), and ScheduleOnDone, which gRPC calls after the last
// decrement, acquires it before OnDone runs.
// It adds synchronization TSan is told about, never hides an access.

#include <dlfcn.h>
#include <grpc/grpc.h>
#include <grpcpp/support/server_callback.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace {

// gRPC's definition of `name`, the next one after this library.
template <typename Fn>
Fn Next(const char* name) {
  void* fn = dlsym(RTLD_NEXT, name);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_grpc_sync: %s not found in libgrpc or libgrpc++\n", name);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

void HandOver(void* tag) { __tsan_release(tag); }

grpc_event TakeBack(grpc_event event) {
  if (event.type == GRPC_OP_COMPLETE) __tsan_acquire(event.tag);
  return event;
}

// &ServerCallbackCall::callbacks_outstanding_, which is private: an explicit
// instantiation may name a private member, and hands it out through a friend.
using CounterMember = std::atomic_int grpc::internal::ServerCallbackCall::*;
CounterMember CallbacksOutstanding();
template <CounterMember member>
struct ExposeCounter {
  friend CounterMember CallbacksOutstanding() { return member; }
};
template struct ExposeCounter<&grpc::internal::ServerCallbackCall::callbacks_outstanding_>;

void* Counter(grpc::internal::ServerCallbackCall* call) {
  return &(call->*CallbacksOutstanding());
}

// Stands in for `reactor` while gRPC calls OnCancel: forwards it, then releases
// on the call's counter, which libgrpc++ decrements right after.
class ReleasingOnCancel final : public grpc::internal::ServerReactor {
 public:
  ReleasingOnCancel(grpc::internal::ServerReactor* reactor, grpc::internal::ServerCallbackCall* call)
      : reactor_(reactor), call_(call) {}
  void OnCancel() override {
    reactor_->OnCancel();
    __tsan_release(Counter(call_));
    delete this;
  }
  void OnDone() override { std::abort(); }  // gRPC calls OnDone on the call's own reactor
  bool InternalInlineable() override { return reactor_->InternalInlineable(); }

 private:
  grpc::internal::ServerReactor* const reactor_;
  grpc::internal::ServerCallbackCall* const call_;
};

}  // namespace

namespace grpc::internal {

void ServerCallbackCall::CallOnCancel(ServerReactor* reactor) {
  static auto next = Next<void (*)(ServerCallbackCall*, ServerReactor*)>(
      "_ZN4grpc8internal18ServerCallbackCall12CallOnCancelEPNS0_13ServerReactorE");
  next(this, new ReleasingOnCancel(reactor, this));
}

void ServerCallbackCall::ScheduleOnDone(bool inline_ondone) {
  static auto next = Next<void (*)(ServerCallbackCall*, bool)>(
      "_ZN4grpc8internal18ServerCallbackCall14ScheduleOnDoneEb");
  __tsan_acquire(Counter(this));
  next(this, inline_ondone);
}

}  // namespace grpc::internal

extern "C" {

grpc_call_error grpc_call_start_batch(grpc_call* call, const grpc_op* ops, size_t nops, void* tag,
                                      void* reserved) {
  static auto next = Next<decltype(&grpc_call_start_batch)>("grpc_call_start_batch");
  HandOver(tag);
  return next(call, ops, nops, tag, reserved);
}

grpc_call_error grpc_server_request_call(grpc_server* server, grpc_call** call,
                                         grpc_call_details* details,
                                         grpc_metadata_array* request_metadata,
                                         grpc_completion_queue* cq_bound_to_call,
                                         grpc_completion_queue* cq_for_notification,
                                         void* tag_new) {
  static auto next = Next<decltype(&grpc_server_request_call)>("grpc_server_request_call");
  HandOver(tag_new);
  return next(server, call, details, request_metadata, cq_bound_to_call, cq_for_notification,
              tag_new);
}

grpc_call_error grpc_server_request_registered_call(
    grpc_server* server, void* registered_method, grpc_call** call, gpr_timespec* deadline,
    grpc_metadata_array* request_metadata, grpc_byte_buffer** optional_payload,
    grpc_completion_queue* cq_bound_to_call, grpc_completion_queue* cq_for_notification,
    void* tag_new) {
  static auto next =
      Next<decltype(&grpc_server_request_registered_call)>("grpc_server_request_registered_call");
  HandOver(tag_new);
  return next(server, registered_method, call, deadline, request_metadata, optional_payload,
              cq_bound_to_call, cq_for_notification, tag_new);
}

void grpc_server_shutdown_and_notify(grpc_server* server, grpc_completion_queue* cq, void* tag) {
  static auto next =
      Next<decltype(&grpc_server_shutdown_and_notify)>("grpc_server_shutdown_and_notify");
  HandOver(tag);
  next(server, cq, tag);
}

grpc_event grpc_completion_queue_next(grpc_completion_queue* cq, gpr_timespec deadline,
                                      void* reserved) {
  static auto next = Next<decltype(&grpc_completion_queue_next)>("grpc_completion_queue_next");
  return TakeBack(next(cq, deadline, reserved));
}

grpc_event grpc_completion_queue_pluck(grpc_completion_queue* cq, void* tag, gpr_timespec deadline,
                                       void* reserved) {
  static auto next = Next<decltype(&grpc_completion_queue_pluck)>("grpc_completion_queue_pluck");
  return TakeBack(next(cq, tag, deadline, reserved));
}

}  // extern "C"
