#ifndef RETURNPATH_TESTS_INTEGRATION_SCOPED_FIXTURE_H_
#define RETURNPATH_TESTS_INTEGRATION_SCOPED_FIXTURE_H_

// A daemon started with a principals file of scoped principals (not "*"), so
// tests can tell what a caller sees in scope from what it must not see.

#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace returnpath::integration {

// The principals, by name (each one's token is "<name>-token"):
//   reception-oslo    RECEPTION  centre/Oslo-1
//   reception-bergen  RECEPTION  centre/Bergen-1
//   reception-oslo-2  RECEPTION  centre/Oslo-1
//   reception-vest    RECEPTION  region/VEST
//   adviser-oslo      ADVISER    queue/advisers/Oslo-1, centre/Oslo-1
//   adviser-queues    ADVISER    queue/advisers/*, region/OSLO
//   auditor-all       AUDITOR    *
//   auditor-oslo      AUDITOR    centre/Oslo-1
//   admin             ADMIN      moves the manual clock (AdvanceBy; its token
//                                is the fixture's, As("admin"))
// Persons P-O1, P-O2 live at Oslo-1 (region OSLO), P-B1, P-B2 at Bergen-1
// (region VEST); each has a first rejection, so a return conversation task
// waits in advisers/<centre>.
class ScopedTest : public IntegrationTest {
 protected:
  void SetUp() override;
  void TearDown() override;
  DaemonOptions Options() const override;

  client::Client& Client(const std::string& principal);
  // Registers and rejects a person as the reception of their centre
  // (reception-vest for centres other than Oslo-1 and Bergen-1: give region
  // "vest").
  void AddPerson(const std::string& id, const std::string& centre,
                 const std::string& region);
  // The whole event log, read by auditor-all.
  std::vector<v1::EventEnvelope> WholeLog();
  // Access records of `person`, newest first (auditor-all; at most 1,000).
  std::vector<v1::AccessRecord> AccessRecords(const std::string& person);

  static constexpr const char* kOslo[] = {"P-O1", "P-O2"};
  static constexpr const char* kBergen[] = {"P-B1", "P-B2"};

 private:
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
};

// "no person with id P in your scope" with P replaced, so the answers for two
// ids can be compared.
std::string WithoutId(const absl::Status& status, const std::string& id);

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_SCOPED_FIXTURE_H_
