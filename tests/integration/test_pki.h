#ifndef RETURNPATH_TESTS_INTEGRATION_TEST_PKI_H_
#define RETURNPATH_TESTS_INTEGRATION_TEST_PKI_H_

// A throwaway certificate authority for mutual-TLS tests (OpenSSL 3, P-256
// keys, valid from an hour ago for a day): a server certificate for 127.0.0.1
// and localhost, and client certificates with chosen common names, written as
// PEM files.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace returnpath::integration {

// A certificate and its private key: PEM text, and the files holding it.
struct CertFiles {
  std::string cert_file;
  std::string key_file;
  std::string cert_pem;
  std::string key_pem;
};

class TestPki {
 public:
  // Makes a CA named `ca_name` and writes its certificate to `dir` (which
  // exists); the files this CA issues go there too.
  static absl::StatusOr<TestPki> Create(const std::string& dir,
                                        const std::string& ca_name);

  const std::string& ca_cert_file() const { return ca_cert_file_; }
  const std::string& ca_pem() const { return ca_pem_; }
  // For returnpathd's --tls_cert/--tls_key: SAN IP 127.0.0.1 and DNS localhost.
  absl::StatusOr<CertFiles> IssueServer();
  // A client certificate whose subject CN is `common_name`.
  absl::StatusOr<CertFiles> IssueClient(const std::string& common_name);

 private:
  struct Authority;  // the CA's key and certificate (OpenSSL objects)

  TestPki(std::string dir, std::shared_ptr<Authority> authority);
  absl::StatusOr<CertFiles> Issue(const std::string& common_name,
                                  const std::string& file_stem,
                                  const std::string& extended_usage,
                                  const std::string& alt_names);

  std::string dir_;
  std::string ca_cert_file_;
  std::string ca_pem_;
  std::shared_ptr<Authority> authority_;
  long next_serial_ = 2;
};

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_TEST_PKI_H_
