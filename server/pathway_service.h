#ifndef RETURNPATH_SERVER_PATHWAY_SERVICE_H_
#define RETURNPATH_SERVER_PATHWAY_SERVICE_H_

#include "engine/rpc/request_decoding.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// Reception staff's service: record events, read and list pathways. A thin
// layer: authenticate, check role and scope, validate, hand to the store.
// Thread-safe; `deps` must outlive it.
class PathwayService final : public v1::PathwayService::CallbackService {
 public:
  explicit PathwayService(ServiceDeps deps) : deps_(deps) {
    DecodeGuards(this, "returnpath.v1.PathwayService")
        .Method("RecordEvent", &PathwayService::RecordEvent)
        .Method("GetPathway", &PathwayService::GetPathway)
        .Method("ListPathways", &PathwayService::ListPathways);
  }

  grpc::ServerUnaryReactor* RecordEvent(
      grpc::CallbackServerContext* ctx, const v1::RecordEventRequest* request,
      v1::RecordEventResponse* response) override;
  grpc::ServerUnaryReactor* GetPathway(grpc::CallbackServerContext* ctx,
                                       const v1::GetPathwayRequest* request,
                                       v1::PathwayView* response) override;
  grpc::ServerUnaryReactor* ListPathways(
      grpc::CallbackServerContext* ctx, const v1::ListPathwaysRequest* request,
      v1::ListPathwaysResponse* response) override;

 private:
  // What GetPathway and ListPathways read, checked; served once logged.
  absl::StatusOr<v1::PathwayView> ReadPathway(
      const Principal& principal, const v1::GetPathwayRequest& request) const;
  absl::StatusOr<v1::ListPathwaysResponse> ListPathwayPage(
      const Principal& principal,
      const v1::ListPathwaysRequest& request) const;

  const ServiceDeps deps_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PATHWAY_SERVICE_H_
