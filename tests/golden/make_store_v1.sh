#!/usr/bin/env bash
# Writes tests/golden/store_v1/: a small store written by the release whose
# states carry no recorded state schema (returnpathd before the schema was
# kept, commit 9087d8c), and what `returnctl show` said of each person then.
# golden_store_test opens a copy with today's daemon, which migrates it, and
# expects the same answers. Run it again only to record another release's
# store beside this one (under another name); never to refresh this one.
#
# The demo population (10 persons) from 2026-03-01, the clock moved to
# 2026-07-01 so that timers fire and tasks open, and one adviser task left
# leased for 72 hours: a migration must keep leases.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
tools/build --target returnpathd returnctl >&2
out=tests/golden/store_v1
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$BUILD_DIR/tools/returnpathd/returnpathd" --data_dir="$work/data" \
  --policy_dir=workflows/return_pathway/policy --demo_population \
  --dev_principals --clock=manual --clock_start=2026-03-01T00:00:00Z \
  --listen=127.0.0.1:0 --port_file="$work/port" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
ctl() {
  "$BUILD_DIR/clients/returnctl/returnctl" --server "127.0.0.1:$(cat "$work/port")" \
    --data-dir "$work/data" "$@"
}
ctl --as admin admin advance-clock --until 2026-07-01 >&2
ctl --as adviser tasks poll --queue advisers/Oslo-1 --worker golden-adviser \
  --lease 12h >&2
token=$(ctl --as admin admin principals add --name golden --role reception \
  --scope '*' | sed -n 's/^token.*: //p')

rm -rf "$out"
mkdir -p "$out/expected"
persons=$(ctl --as auditor --json audit log |
  grep -o '"stream_id":"[^"]*"' | cut -d'"' -f4 | sort -u)
for person in $persons; do
  ctl --token "$token" show --person "$person" >"$out/expected/$person.txt"
done
kill "$pid"
wait "$pid" || true
pid=
cp -r "$work/data/store" "$out/store"
# RocksDB's info logs, its lock file and all but the newest options file are
# remade on open.
rm -f "$out"/store/LOG* "$out"/store/LOCK
ls "$out"/store/OPTIONS-* | sort | head -n -1 | xargs -r rm -f
echo "wrote $out: $(echo "$persons" | wc -w) persons, $(du -sh "$out" | cut -f1)" >&2
