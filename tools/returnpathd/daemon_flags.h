#ifndef RETURNPATH_TOOLS_RETURNPATHD_DAEMON_FLAGS_H_
#define RETURNPATH_TOOLS_RETURNPATHD_DAEMON_FLAGS_H_

// returnpathd's flags, defined in daemon_flags.cc; each has a field of the
// same name in DaemonConfig (proto/returnpath/v1/daemon_config.proto).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, config);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, store);
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, policy_dir);
ABSL_DECLARE_FLAG(std::string, clock);
ABSL_DECLARE_FLAG(std::string, clock_start);
ABSL_DECLARE_FLAG(bool, accept_test_clock_store);
ABSL_DECLARE_FLAG(std::string, principals);
ABSL_DECLARE_FLAG(bool, dev_principals);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_client_ca);
ABSL_DECLARE_FLAG(std::string, port_file);
ABSL_DECLARE_FLAG(bool, demo_population);
ABSL_DECLARE_FLAG(int, rpc_threads);
ABSL_DECLARE_FLAG(std::string, backup_dir);
ABSL_DECLARE_FLAG(absl::Duration, backup_every);
ABSL_DECLARE_FLAG(int, backup_keep);
ABSL_DECLARE_FLAG(std::string, restore_from);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(absl::Duration, metrics_tasks_every);
ABSL_DECLARE_FLAG(std::string, metrics_port_file);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, signing_key);
ABSL_DECLARE_FLAG(std::string, master_key_file);
ABSL_DECLARE_FLAG(std::vector<std::string>, previous_master_key_files);
ABSL_DECLARE_FLAG(absl::Duration, checkpoint_every);
ABSL_DECLARE_FLAG(absl::Duration, retention_every);
ABSL_DECLARE_FLAG(int64_t, min_free_disk_mib);

#endif  // RETURNPATH_TOOLS_RETURNPATHD_DAEMON_FLAGS_H_
