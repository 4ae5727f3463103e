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

# fuzz_services: method (see kMethods in fuzz_services.cc), caller, then the request.
mkdir -p "$corpus/fuzz_services"
seed fuzz_services register_reception '\x00\x00' RecordEventRequest "$register"
seed fuzz_services record_reception '\x00\x00' RecordEventRequest "$record"
seed fuzz_services get_pathway_adviser '\x01\x01' GetPathwayRequest 'person_id: "P-1"'
seed fuzz_services list_pathways_police '\x02\x02' ListPathwaysRequest 'index_prefix: "centre/Oslo-1" page_size: 10'
seed fuzz_services poll_police '\x03\x02' PollTasksRequest 'queue: "police/pu" worker: "w-1"'
seed fuzz_services claim_adviser '\x0b\x01' ClaimTaskRequest 'task { person_id: "P-1" task_id: "t-1" worker: "w-1" } lease { seconds: 3600 }'
seed fuzz_services list_mine_adviser '\x0c\x01' ListMineRequest ''
seed fuzz_services history_auditor '\x0f\x03' HistoryRequest 'person_id: "P-1"'
seed fuzz_services statistics_auditor '\x15\x03' StatisticsRequest ''
seed fuzz_services add_principal_admin '\x19\x04' AddPrincipalRequest 'name: "desk-2" role: ROLE_ADVISER scopes: "centre/Oslo-1"'

# fuzz_codec: the position byte, then a stored value (32-byte hash || envelope).
{ printf '\x07'; head -c 32 /dev/zero | tr '\0' 'h'
  encode EventEnvelope 'position: 7 stream_id: "P-1" stream_version: 2 principal: "reception" policy_version: "2026-07-01"'
} > "$corpus/fuzz_codec/event_value"
# An idempotency record: three big-endian u64s, the stream, NUL, the fingerprint.
printf '\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01P-1\x00fp' \
  > "$corpus/fuzz_codec/idempotency_record"
