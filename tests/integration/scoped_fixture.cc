#include "tests/integration/scoped_fixture.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "returnpath/v1/auth.pb.h"
#include "server/auth.h"

namespace returnpath::integration {
namespace {

struct Spec {
  const char* name;
  v1::Role role;
  std::vector<std::string> scopes;
};

std::vector<v1::PrincipalEntry> Principals() {
  const std::vector<Spec> specs = {
      {"reception-oslo", v1::ROLE_RECEPTION, {"centre/Oslo-1"}},
      {"reception-bergen", v1::ROLE_RECEPTION, {"centre/Bergen-1"}},
      {"reception-oslo-2", v1::ROLE_RECEPTION, {"centre/Oslo-1"}},
      {"reception-vest", v1::ROLE_RECEPTION, {"region/VEST"}},
      {"adviser-oslo",
       v1::ROLE_ADVISER,
       {"queue/advisers/Oslo-1", "centre/Oslo-1"}},
      {"adviser-queues", v1::ROLE_ADVISER, {"queue/advisers/*", "region/OSLO"}},
      {"auditor-all", v1::ROLE_AUDITOR, {"*"}},
      {"auditor-oslo", v1::ROLE_AUDITOR, {"centre/Oslo-1"}},
  };
  std::vector<v1::PrincipalEntry> entries;
  for (const Spec& spec : specs) {
    v1::PrincipalEntry* entry = &entries.emplace_back();
    entry->set_name(spec.name);
    entry->set_role(spec.role);
    entry->set_token_sha256(
        engine::Sha256Hex(absl::StrCat(spec.name, "-token")));
    for (const std::string& scope : spec.scopes) entry->add_scopes(scope);
  }
  // An administrator to move the manual clock (AdvanceBy): the fixture makes
  // its token.
  v1::PrincipalEntry* admin = &entries.emplace_back();
  admin->set_name("admin");
  admin->set_role(v1::ROLE_ADMIN);
  return entries;
}

}  // namespace

void ScopedTest::SetUp() {
  IntegrationTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  for (const char* id : kOslo) AddPerson(id, "Oslo-1", "oslo");
  for (const char* id : kBergen) AddPerson(id, "Bergen-1", "vest");
}

void ScopedTest::TearDown() {
  clients_.clear();
  IntegrationTest::TearDown();
}

DaemonOptions ScopedTest::Options() const {
  DaemonOptions options;
  options.principals = Principals();
  return options;
}

client::Client& ScopedTest::Client(const std::string& principal) {
  std::unique_ptr<client::Client>& client = clients_[principal];
  if (client == nullptr) client = WithToken(principal + "-token");
  return *client;
}

void ScopedTest::AddPerson(const std::string& id, const std::string& centre,
                           const std::string& region) {
  client::Client& reception = Client(centre == "Oslo-1"     ? "reception-oslo"
                                     : centre == "Bergen-1" ? "reception-bergen"
                                                            : "reception-vest");
  absl::StatusOr<client::BuiltEvent> registration =
      client::BuildEvent("register", {{"person", id},
                                      {"household", "H-" + id},
                                      {"born", "1990-05-01"},
                                      {"nationality", "AF"},
                                      {"centre", centre},
                                      {"region", region}});
  RP_ASSERT_OK(registration);
  RP_ASSERT_OK(reception.Record(id, *registration));
  absl::StatusOr<client::BuiltEvent> rejection =
      client::BuildEvent("first-rejection", {{"notified", "2026-02-27"}});
  RP_ASSERT_OK(rejection);
  RP_ASSERT_OK(reception.Record(id, *rejection));
}

std::vector<v1::EventEnvelope> ScopedTest::WholeLog() {
  std::vector<v1::EventEnvelope> events;
  absl::Status read =
      Client("auditor-all").Log(v1::LogRequest(), [&](const auto& event) {
        events.push_back(event);
        return true;
      });
  EXPECT_TRUE(read.ok()) << read;
  return events;
}

std::vector<v1::AccessRecord> ScopedTest::AccessRecords(
    const std::string& person) {
  v1::AccessLogRequest request;
  request.set_person_id(person);
  request.set_limit(1000);
  absl::StatusOr<v1::AccessLogResponse> response =
      Client("auditor-all").AccessLog(request);
  EXPECT_TRUE(response.ok()) << response.status();
  if (!response.ok()) return {};
  return {response->records().begin(), response->records().end()};
}

std::string WithoutId(const absl::Status& status, const std::string& id) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      absl::StrReplaceAll(status.message(), {{id, "<id>"}}));
}

}  // namespace returnpath::integration
