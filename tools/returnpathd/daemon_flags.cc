// returnpathd's flags (`returnpathd --help`), apart from main.cc so that
// what sets them from a file (config_file.h) can be fuzzed with them.

#include "tools/returnpathd/daemon_flags.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::string, config, "",
          "a configuration file (textproto, proto/returnpath/v1/"
          "daemon_config.proto) giving any of these flags; a flag given on "
          "the command line wins over the file");
ABSL_FLAG(
    std::string, data_dir, "./data",
    "directory of the embedded store (store/), principals and dev tokens");
ABSL_FLAG(std::string, store, "",
          "empty: the embedded store in <data_dir>/store; or a PostgreSQL "
          "connection URI (postgres://user@host1,host2/db?target_session_"
          "attrs=read-write) whose database holds the store, shared by every "
          "returnpathd given the same URI and master key (docs/scale-out.md)");
ABSL_FLAG(
    std::string, listen, "127.0.0.1:7443",
    "address to serve gRPC on; port 0 picks a free port (see --port_file)");
ABSL_FLAG(std::string, policy_dir, "workflows/return_pathway/policy",
          "directory of the return-pathway policy files (*.textproto)");
ABSL_FLAG(std::string, clock, "system",
          "system, or manual: time moves only through "
          "AdminService.AdvanceClock (tests)");
ABSL_FLAG(std::string, clock_start, "",
          "with --clock=manual, the starting time (RFC 3339); default: now, "
          "or the store's last recorded time if that is later");
ABSL_FLAG(bool, accept_test_clock_store, false,
          "open a store that a --clock=manual daemon wrote under the system "
          "clock anyway (its recorded times are a test's)");
ABSL_FLAG(std::string, principals, "",
          "principals file (textproto, see proto/returnpath/v1/auth.proto); "
          "administrators change it at run time (returnctl admin principals)");
ABSL_FLAG(bool, dev_principals, false,
          "development only, on a loopback --listen: use "
          "<data_dir>/principals.textproto, created with one principal per "
          "role and their tokens in <data_dir>/tokens/");
ABSL_FLAG(std::string, tls_cert, "", "server certificate (PEM); enables TLS");
ABSL_FLAG(std::string, tls_key, "", "server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "CA (PEM) for client certificates; enables mutual TLS");
ABSL_FLAG(std::string, port_file, "", "write the bound port here once serving");
ABSL_FLAG(bool, demo_population, false,
          "on an empty store, load a small synthetic demo population");
ABSL_FLAG(int, rpc_threads, 8, "threads that run the blocking part of RPCs");
ABSL_FLAG(std::string, backup_dir, "",
          "scheduled online backups go here (incremental: unchanged files are "
          "shared); empty: none");
ABSL_FLAG(absl::Duration, backup_every, absl::Hours(24),
          "with --backup_dir, how often to back up (by the daemon's clock)");
ABSL_FLAG(int, backup_keep, 7,
          "with --backup_dir, how many backups to keep (0: all)");
ABSL_FLAG(std::string, restore_from, "",
          "before serving, restore the newest backup in this directory into "
          "an empty --data_dir, and verify its chain");
ABSL_FLAG(std::string, metrics_listen, "",
          "serve Prometheus metrics (GET /metrics: counts and latencies, no "
          "person's data) on this host:port, e.g. 127.0.0.1:9464; port 0 "
          "picks a free port (see --metrics_port_file); empty: none");
ABSL_FLAG(absl::Duration, metrics_tasks_every, absl::Minutes(1),
          "count every live task for the metrics this often, in the "
          "background (a scrape serves the last count); 0: at each scrape");
ABSL_FLAG(std::string, metrics_port_file, "",
          "write the metrics endpoint's bound port here once serving");
ABSL_FLAG(std::string, log_level, "info",
          "debug, info, warning or error: lines below it are not written. "
          "Each request is one line at info, a refusal at warning, a failure "
          "at error; persons appear as keyed hashes (key: <data_dir>/log_key)");
ABSL_FLAG(std::string, signing_key, "",
          "the server's Ed25519 private key (PEM), which signs checkpoints and "
          "exports; empty: <data_dir>/signing_key.pem, created if missing. Its "
          "public key is written beside it (<key>.pub) for auditors");
ABSL_FLAG(std::string, master_key_file, "",
          "the master key (64 hex digits, a file only its owner may read) that "
          "wraps the keys sealing persons' fields at rest; empty: the "
          "environment variable RETURNPATH_MASTER_KEY, else "
          "<data_dir>/master.key, created if missing (keep it elsewhere in "
          "production: docs/privacy.md)");
ABSL_FLAG(std::vector<std::string>, previous_master_key_files, {},
          "while rotating the master key: the files of the keys it replaces, "
          "comma-separated; the store rewraps its keys under the new one at "
          "start");
ABSL_FLAG(absl::Duration, retention_every, absl::Hours(24),
          "erase, this often (by the daemon's clock), the persons whose data "
          "the policy's retention rule lets go and no legal hold keeps "
          "(docs/privacy.md); 0: never");
ABSL_FLAG(absl::Duration, checkpoint_every, absl::Hours(1),
          "sign and keep a checkpoint of the event log's head this often (by "
          "the daemon's clock), when the log has grown; 0: never");
ABSL_FLAG(int64_t, min_free_disk_mib, 256,
          "writes are refused (RESOURCE_EXHAUSTED) while the store's disk has "
          "less free than this, and resume by themselves above it");
