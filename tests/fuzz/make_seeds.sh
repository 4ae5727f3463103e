#!/usr/bin/env bash
# Writes the binary seeds of tests/fuzz/corpus/ (the text ones are written by hand):
# one valid request per RPC, a stored event value and an idempotency record. Run it
# again after a proto change that makes a seed stale; the outputs are committed.
set -euo pipefail
cd "$(dirname "$0")"
root=../..
corpus=corpus

encode() {  # encode MESSAGE TEXT: the wire bytes of TEXT as returnpath.v1.MESSAGE
  printf '%s' "$2" | protoc --proto_path="$root/proto" --encode="returnpath.v1.$1" \
    returnpath/v1/services.proto returnpath/v1/pathway.proto returnpath/v1/event.proto
}

seed() {  # seed DIR NAME SELECTOR_BYTES MESSAGE TEXT
  { printf "$3"; encode "$4" "$5"; } > "$corpus/$1/$2"
}

record='person_id: "P-1" event { [type.googleapis.com/returnpath.v1.FirstRejection] { notified_on { year: 2026 month: 3 day: 2 } decision_reference: "UDI-1" } } effective_time { seconds: 1772406000 } idempotency_key: "k-1"'
register='person_id: "P-1" event { [type.googleapis.com/returnpath.v1.PersonRegistered] { person_id: "P-1" household_id: "H-1" nationality: "AF" reception_centre: "Oslo-1" region: REGION_OSLO } } effective_time { seconds: 1772406000 } expected_version: 0'

# fuzz_input_bounds: the selector of fuzz_input_bounds.cc, then the request.
seed fuzz_input_bounds record '\x00' RecordEventRequest "$record"
seed fuzz_input_bounds get_pathway '\x01' GetPathwayRequest 'person_id: "P-1"'
seed fuzz_input_bounds list_pathways '\x02' ListPathwaysRequest 'index_prefix: "centre/Oslo-1" page_size: 10'
seed fuzz_input_bounds poll '\x03' PollTasksRequest 'queue: "police/pu" worker: "w-1" lease { seconds: 300 }'
seed fuzz_input_bounds history '\x0a' HistoryRequest 'person_id: "P-1" from_version: 1'
seed fuzz_input_bounds reassign '\x10' ReassignTaskRequest 'task { person_id: "P-1" task_id: "t-1" worker: "w-1" } to_principal: "adviser-2" lease { seconds: 600 }'
seed fuzz_input_bounds queue_summary '\x13' QueueSummaryRequest 'queue: "advisers/Oslo-1"'
seed fuzz_input_bounds export '\x14' ExportRequest 'person_id: "P-1" from_position: 1 to_position: 9'
seed fuzz_input_bounds approve_erasure '\x16' ApproveErasureRequest 'person_id: "P-1" reason: "residence permit granted"'
seed fuzz_input_bounds erase '\x17' EraseRequest 'person_id: "P-1" reason: "residence permit granted"'
seed fuzz_input_bounds legal_hold '\x18' LegalHoldRequest 'person_id: "P-1" reason: "court case 21-044"'
seed fuzz_input_bounds compliance '\x15' ComplianceRequest 'person_id: "P-1" from { seconds: 1767225600 } to { seconds: 1798761600 }'

# fuzz_services: the RPC's index in testing::EveryRpc() (tests/testing/raw_rpc.h: the four
# services in that order, each one's RPCs in declaration order), looked up here by name, then the
# caller (the order of the tokens in fuzz_services.cc), then the request. Each seed is named
# RPC[.VARIANT].CALLER; tests/fuzz/fuzz_services_seeds_test.cc checks every one.
rpcs() {  # the RPC names, in EveryRpc() order
  local service
  for service in PathwayService TaskService AuditService AdminService; do
    awk -v service="$service" '
      $1 == "service" { inside = ($2 == service) }
      /^}/ { inside = 0 }
      inside && $1 == "rpc" { sub(/\(.*/, "", $2); print $2 }' "$root/proto/returnpath/v1/services.proto"
  done
}
rpc_index() {  # rpc_index NAME
  local index
  index=$(rpcs | grep -n -x -F "$1" | cut -d: -f1)
  if [[ -z "$index" ]]; then echo "make_seeds.sh: no RPC named $1" >&2; exit 1; fi
  echo $((index - 1))
}
caller_index() {  # caller_index NAME
  case "$1" in
    reception) echo 0 ;; adviser) echo 1 ;; police) echo 2 ;; auditor) echo 3 ;; admin) echo 4 ;;
    none) echo 5 ;;
    *) echo "make_seeds.sh: no caller named $1" >&2; exit 1 ;;
  esac
}
rpc_seed() {  # rpc_seed RPC[.VARIANT] CALLER MESSAGE TEXT
  local selector
  selector=$(printf '\\x%02x\\x%02x' "$(rpc_index "${1%%.*}")" "$(caller_index "$2")")
  seed fuzz_services "$1.$2" "$selector" "$3" "$4"
}
rm -rf "$corpus/fuzz_services"
mkdir -p "$corpus/fuzz_services"
task='task { person_id: "P-1" task_id: "t-1" worker: "w-1" }'
year='from { seconds: 1767225600 } to { seconds: 1798761600 }'  # 2026
backlog='person_id: "P-2" events { event { [type.googleapis.com/returnpath.v1.PersonRegistered] { person_id: "P-2" household_id: "H-2" nationality: "IQ" reception_centre: "Oslo-1" region: REGION_OSLO } } effective_time { seconds: 1772406000 } line: 1 }'
rpc_seed RecordEvent.register reception RecordEventRequest "$register"
rpc_seed RecordEvent.first_rejection reception RecordEventRequest "$record"
rpc_seed GetPathway adviser GetPathwayRequest 'person_id: "P-1"'
rpc_seed ListPathways reception ListPathwaysRequest 'index_prefix: "centre/Oslo-1" page_size: 10'
rpc_seed Poll police PollTasksRequest 'queue: "police/pu" worker: "w-1" lease { seconds: 300 }'
rpc_seed Subscribe adviser SubscribeTasksRequest 'queue: "advisers/Oslo-1" worker: "w-1" lease { seconds: 300 } max_tasks: 1'
rpc_seed Complete adviser CompleteTaskRequest "$task"' outcome: "held" note: "met" idempotency_key: "c-1"'
rpc_seed Fail police FailTaskRequest "$task"' error: "no answer at the address"'
rpc_seed Release adviser ReleaseTaskRequest "$task"
rpc_seed ExtendLease adviser ExtendLeaseRequest "$task"' lease { seconds: 600 }'
rpc_seed ListTasks adviser ListTasksRequest 'queue: "advisers/Oslo-1" state: TASK_STATE_OPEN page_size: 20'
rpc_seed ListDeadLetters adviser ListTasksRequest 'queue: "advisers/Oslo-1" page_size: 20'
rpc_seed Claim adviser ClaimTaskRequest "$task"' lease { seconds: 3600 }'
rpc_seed ListMine adviser ListMineRequest ''
rpc_seed Reassign adviser ReassignTaskRequest "$task"' to_principal: "adviser" to_worker: "w-2" lease { seconds: 600 }'
rpc_seed Requeue adviser RequeueTaskRequest "$task"' reason: "the address is known now"'
rpc_seed QueueSummary adviser QueueSummaryRequest 'queue: "advisers/Oslo-1"'
rpc_seed History auditor HistoryRequest 'person_id: "P-1" from_version: 1'
rpc_seed Log auditor LogRequest 'from_position: 1 limit: 10'
rpc_seed PathwayAsOf auditor AsOfRequest 'person_id: "P-1" effective_time { seconds: 1772406000 }'
rpc_seed Verify auditor VerifyRequest 'from_position: 1'
rpc_seed ReplayCheck auditor ReplayCheckRequest ''
rpc_seed SubscribeEvents auditor SubscribeEventsRequest 'from_position: 1'
rpc_seed Statistics auditor StatisticsRequest "$year"
rpc_seed AccessLog auditor AccessLogRequest 'person_id: "P-1" limit: 10'
rpc_seed Compliance auditor ComplianceRequest 'person_id: "P-1" '"$year"
rpc_seed Export auditor ExportRequest 'person_id: "P-1" from_position: 1'
rpc_seed Checkpoints auditor CheckpointsRequest 'from_position: 1 limit: 10'
rpc_seed SigningKey auditor SigningKeyRequest ''
rpc_seed WhatIf auditor WhatIfRequest 'policy_version: "2012-01-01" person_id: "P-1"'
rpc_seed PlaceLegalHold auditor LegalHoldRequest 'person_id: "P-1" reason: "court case 21-044"'
rpc_seed LiftLegalHold auditor LegalHoldRequest 'person_id: "P-1"'
rpc_seed ApproveErasure auditor ApproveErasureRequest 'person_id: "P-1" reason: "residence permit granted"'
rpc_seed AdvanceClock admin AdvanceClockRequest 'by { seconds: 86400 }'
rpc_seed Now admin NowRequest ''
rpc_seed Backup admin BackupRequest 'to: "before-upgrade"'
rpc_seed Erase admin EraseRequest 'person_id: "P-1" reason: "residence permit granted"'
rpc_seed Import admin ImportRequest "persons { $backlog } check_only: true source: \"backlog.jsonl\""
rpc_seed AddPrincipal admin AddPrincipalRequest 'name: "desk-2" role: ROLE_ADVISER scopes: "centre/Oslo-1"'
rpc_seed ListPrincipals admin ListPrincipalsRequest ''
rpc_seed RevokePrincipal admin RevokePrincipalRequest 'name: "desk-2"'
rpc_seed RotateToken admin RotateTokenRequest 'name: "desk-2"'

# fuzz_codec: the position byte, then a stored value (32-byte hash || envelope).
{ printf '\x07'; head -c 32 /dev/zero | tr '\0' 'h'
  encode EventEnvelope 'position: 7 stream_id: "P-1" stream_version: 2 principal: "reception" policy_version: "2026-07-01"'
} > "$corpus/fuzz_codec/event_value"
# An idempotency record: three big-endian u64s, the stream, NUL, the fingerprint.
printf '\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01P-1\x00fp' \
  > "$corpus/fuzz_codec/idempotency_record"
