#include "tests/integration/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace returnpath::integration {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

absl::StatusOr<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError("EVP_EC_gen(P-256) failed");
  return key;
}

// Adds an extension in openssl.cnf syntax ("critical,CA:TRUE").
absl::Status AddExtension(X509* cert, X509* issuer, int nid,
                          const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (extension == nullptr) {
    return absl::InternalError(
        absl::StrCat("bad X.509 extension ", OBJ_nid2sn(nid), "=", value));
  }
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return absl::InternalError("X509_add_ext failed");
  return absl::OkStatus();
}

// A certificate for `key` named `common_name`, without extensions or
// signature; `issuer` null means self-issued.
absl::StatusOr<Cert> NewCert(EVP_PKEY* key, const std::string& common_name,
                             long serial, X509* issuer) {
  Cert cert(X509_new());
  if (cert == nullptr) return absl::InternalError("X509_new failed");
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(
      cert.get(), issuer == nullptr ? name : X509_get_subject_name(issuer));
  X509_set_pubkey(cert.get(), key);
  return cert;
}

// PEM text of a certificate (or, with `cert` null, of a private key).
absl::StatusOr<std::string> PemOf(X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  const bool written =
      bio != nullptr &&
      (cert != nullptr
           ? PEM_write_bio_X509(bio.get(), cert) == 1
           : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                      nullptr, nullptr) == 1);
  if (!written) return absl::InternalError("cannot write PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

struct TestPki::Authority {
  Key key;
  Cert cert;
};

TestPki::TestPki(std::string dir, std::shared_ptr<Authority> authority)
    : dir_(std::move(dir)),
      ca_cert_file_(dir_ + "/ca.pem"),
      authority_(std::move(authority)) {}

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir,
                                        const std::string& ca_name) {
  auto authority = std::make_shared<Authority>();
  absl::StatusOr<Key> key = NewKey();
  if (!key.ok()) return key.status();
  authority->key = *std::move(key);
  absl::StatusOr<Cert> cert =
      NewCert(authority->key.get(), ca_name, /*serial=*/1, nullptr);
  if (!cert.ok()) return cert.status();
  authority->cert = *std::move(cert);
  X509* ca = authority->cert.get();
  const std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"}};
  for (const auto& [nid, value] : extensions) {
    absl::Status added = AddExtension(ca, ca, nid, value);
    if (!added.ok()) return added;
  }
  if (X509_sign(ca, authority->key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("cannot sign the CA certificate");
  }
  absl::StatusOr<std::string> pem = PemOf(ca, nullptr);
  if (!pem.ok()) return pem.status();
  TestPki pki(dir, std::move(authority));
  pki.ca_pem_ = *std::move(pem);
  absl::Status written = WriteFile(pki.ca_cert_file_, pki.ca_pem_);
  if (!written.ok()) return written;
  return pki;
}

absl::StatusOr<CertFiles> TestPki::IssueServer() {
  return Issue("localhost", "server", "serverAuth",
               "IP:127.0.0.1,DNS:localhost");
}

absl::StatusOr<CertFiles> TestPki::IssueClient(const std::string& common_name) {
  return Issue(common_name, absl::StrCat("client-", next_serial_), "clientAuth",
               "");
}

absl::StatusOr<CertFiles> TestPki::Issue(const std::string& common_name,
                                         const std::string& file_stem,
                                         const std::string& extended_usage,
                                         const std::string& alt_names) {
  absl::StatusOr<Key> key = NewKey();
  if (!key.ok()) return key.status();
  X509* ca = authority_->cert.get();
  absl::StatusOr<Cert> cert =
      NewCert(key->get(), common_name, next_serial_++, ca);
  if (!cert.ok()) return cert.status();
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, extended_usage},
      {NID_authority_key_identifier, "keyid"}};
  if (!alt_names.empty())
    extensions.push_back({NID_subject_alt_name, alt_names});
  for (const auto& [nid, value] : extensions) {
    absl::Status added = AddExtension(cert->get(), ca, nid, value);
    if (!added.ok()) return added;
  }
  if (X509_sign(cert->get(), authority_->key.get(), EVP_sha256()) == 0) {
    return absl::InternalError(
        absl::StrCat("cannot sign the certificate for ", common_name));
  }
  absl::StatusOr<std::string> cert_pem = PemOf(cert->get(), nullptr);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = PemOf(nullptr, key->get());
  if (!key_pem.ok()) return key_pem.status();
  CertFiles files{absl::StrCat(dir_, "/", file_stem, ".pem"),
                  absl::StrCat(dir_, "/", file_stem, ".key"), *cert_pem,
                  *key_pem};
  absl::Status written = WriteFile(files.cert_file, files.cert_pem);
  if (written.ok()) written = WriteFile(files.key_file, files.key_pem);
  if (!written.ok()) return written;
  return files;
}

}  // namespace returnpath::integration
