#include "clients/lib/event_args.h"

#include <algorithm>

#include "absl/strings/str_split.h"

#include "clients/lib/event_kinds.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using ::testing::HasSubstr;

EventArgSpec Spec(std::string name, std::string field,
                  std::string value_name = "X") {
  EventArgSpec spec;
  spec.name = std::move(name);
  spec.value_name = std::move(value_name);
  spec.field = std::move(field);
  return spec;
}

TEST(FillFieldTest, ReadsEachTypeAsItsFieldAsks) {
  v1::Departed event;
  EventArgSpec kind = Spec("kind", "kind");
  kind.aliases = {{"dublin", "DEPARTURE_KIND_DUBLIN_TRANSFER"}};
  EventArgSpec to = Spec("to", "destination_country");
  to.country = true;
  const EventArgs args{{"kind", "dublin"}, {"to", "se"}, {"cash", "40"}};
  ASSERT_TRUE(FillField(kind, args, &event).ok());
  ASSERT_TRUE(FillField(to, args, &event).ok());
  ASSERT_TRUE(
      FillField(Spec("cash", "forced_return_support.cash_nok"), args, &event)
          .ok());
  EXPECT_EQ(event.kind(), v1::DEPARTURE_KIND_DUBLIN_TRANSFER);
  EXPECT_EQ(event.destination_country(), "SE");
  EXPECT_EQ(event.forced_return_support().cash_nok(), 40);

  v1::FirstRejection rejection;
  ASSERT_TRUE(FillField(Spec("notified", "notified_on"),
                        {{"notified", "2026-03-02"}}, &rejection)
                  .ok());
  EXPECT_EQ(rejection.notified_on().day(), 2);
}

TEST(FillFieldTest, RefusalsNameTheOption) {
  v1::Departed event;
  EXPECT_EQ(FillField(Spec("cash", "forced_return_support.cash_nok"),
                      {{"cash", "-1"}}, &event)
                .message(),
            "--cash: '-1' is not a whole number >= 0");
  EventArgSpec to = Spec("to", "destination_country");
  to.country = true;
  EXPECT_EQ(FillField(to, {{"to", "swe"}}, &event).message(),
            "--to: 'swe' is not a two-letter country code like AF");
  EXPECT_THAT(
      FillField(Spec("kind", "kind"), {{"kind", "sideways"}}, &event).message(),
      HasSubstr("--kind"));
  v1::FirstRejection rejection;
  EXPECT_THAT(FillField(Spec("notified", "notified_on"),
                        {{"notified", "2026-02-30"}}, &rejection)
                  .message(),
              HasSubstr("--notified: "));
}

TEST(FillFieldTest, AnAbsentArgumentWritesNothingButASwitchAlwaysDoes) {
  v1::Departed event;
  ASSERT_TRUE(
      FillField(Spec("cash", "forced_return_support.cash_nok"), {}, &event)
          .ok());
  EXPECT_FALSE(event.has_forced_return_support());

  v1::FlagsChanged flags;
  ASSERT_TRUE(
      FillField(Spec("dublin", "flags.dublin_case", ""), {}, &flags).ok());
  EXPECT_TRUE(flags.has_flags());
  EXPECT_FALSE(flags.flags().dublin_case());

  v1::TravelDocumentObtained document;
  EventArgSpec kind = Spec("document", "document_kind");
  kind.otherwise = "passport";
  ASSERT_TRUE(FillField(kind, {}, &document).ok());
  EXPECT_EQ(document.document_kind(), "passport");
}

TEST(FillFieldTest, EveryValueOfARepeatedTextField) {
  v1::PersonRegistered event;
  EventArgs args;
  args.Add("guardian", "G-1");
  args.Add("guardian", "G-2");
  ASSERT_TRUE(FillField(Spec("guardian", "guardian_ids"), args, &event).ok());
  EXPECT_THAT(event.guardian_ids(), ::testing::ElementsAre("G-1", "G-2"));
}

TEST(FillFieldTest, AFieldThatDoesNotExistIsAnInternalError) {
  v1::FirstRejection event;
  EXPECT_EQ(FillField(Spec("x", "notified_at"), {{"x", "1"}}, &event).code(),
            absl::StatusCode::kInternal);
}

// The table itself: every argument names a field of its kind's message that
// an argument can fill, so no kind fails on a typo only when a user tries it.
TEST(EventKindTableTest, EveryArgumentNamesAFieldItCanFill) {
  for (const EventKind& kind : EventKinds()) {
    const Descriptor* type =
        DescriptorPool::generated_pool()->FindMessageTypeByName(kind.message);
    ASSERT_NE(type, nullptr) << kind.message;
    for (const EventArgSpec& spec : kind.args) {
      if (spec.field.empty()) continue;
      const Descriptor* at = type;
      const FieldDescriptor* field = nullptr;
      for (absl::string_view part : absl::StrSplit(spec.field, '.')) {
        ASSERT_NE(at, nullptr) << kind.name << " --" << spec.name;
        field = at->FindFieldByName(std::string(part));
        ASSERT_NE(field, nullptr) << kind.name << " --" << spec.name;
        at = field->message_type();
      }
      EXPECT_EQ(spec.repeated, field->is_repeated())
          << kind.name << " --" << spec.name;
      EXPECT_EQ(spec.value_name.empty(),
                field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL)
          << kind.name << " --" << spec.name << ": a switch is a bool";
      if (spec.country || !spec.otherwise.empty()) {
        EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_STRING)
            << kind.name << " --" << spec.name;
      }
      if (!spec.aliases.empty()) {
        EXPECT_EQ(field->cpp_type(), FieldDescriptor::CPPTYPE_ENUM)
            << kind.name << " --" << spec.name;
      }
    }
    if (!kind.legal_date.empty()) {
      const auto legal = std::find_if(
          kind.args.begin(), kind.args.end(),
          [&](const EventArgSpec& spec) { return spec.name == kind.legal_date; });
      ASSERT_NE(legal, kind.args.end()) << kind.name;
      EXPECT_EQ(legal->value_name, "DATE") << kind.name;
    }
  }
}

}  // namespace
}  // namespace returnpath::client
