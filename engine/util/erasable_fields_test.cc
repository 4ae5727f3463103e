#include "engine/erasable_fields.h"

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "returnpath/v1/erasable_test.pb.h"

namespace returnpath::engine {
namespace {

using ::google::protobuf::Any;
using ::google::protobuf::util::MessageDifferencer;
using ::returnpath::v1::test::ErasableInner;
using ::returnpath::v1::test::ErasableMapRecord;
using ::returnpath::v1::test::ErasableRecord;
using ::returnpath::v1::test::PlainRecord;

ErasableInner Inner(const std::string& secret, int64_t count) {
  ErasableInner inner;
  inner.set_secret(secret);
  inner.set_count(count);
  return inner;
}

// Every field set, an Any holding another record with its own secrets.
ErasableRecord Full() {
  ErasableRecord inside;
  inside.set_kind("inside-kind");
  inside.set_name("inside-name");
  inside.mutable_inner()->set_secret("inside-secret");
  inside.mutable_inner()->set_count(3);

  ErasableRecord record;
  record.set_kind("kind");
  record.set_name("name");
  record.set_version(7);
  record.set_age(41);
  record.add_aliases("alias-1");
  record.add_aliases("alias-2");
  record.add_positions(11);
  record.add_positions(12);
  *record.mutable_inner() = Inner("inner-secret", 5);
  *record.mutable_private_inner() = Inner("private-secret", 6);
  record.mutable_attachment()->PackFrom(inside);
  *record.add_private_list() = Inner("listed-secret", 1);
  *record.add_list() = Inner("first-secret", 1);
  *record.add_list() = Inner("", 2);  // nothing erasable in this element
  *record.add_list() = Inner("third-secret", 3);
  record.add_attachments()->PackFrom(Inner("any-secret", 9));
  record.add_attachments()->PackFrom(PlainRecord());
  record.set_private_choice("choice-secret");
  record.mutable_child()->set_name("child-name");
  record.mutable_child()->set_version(2);
  return record;
}

Any Pack(const google::protobuf::Message& message) {
  Any any;
  any.PackFrom(message);
  return any;
}

template <typename T>
T Unpack(const Any& any) {
  T message;
  EXPECT_TRUE(any.UnpackTo(&message));
  return message;
}

TEST(ErasableFieldsTest, MarksAreRead) {
  const auto* type = ErasableRecord::descriptor();
  EXPECT_TRUE(IsErasable(type->FindFieldByName("name")));
  EXPECT_FALSE(IsErasable(type->FindFieldByName("kind")));
  EXPECT_TRUE(HasErasableFields(type));
  EXPECT_TRUE(HasErasableFields(ErasableInner::descriptor()));
  EXPECT_FALSE(HasErasableFields(PlainRecord::descriptor()));
  EXPECT_TRUE(HasErasableFields(Any::descriptor()));
}

TEST(ErasableFieldsTest, SplitClearsExactlyTheErasableFields) {
  Any payload = Pack(Full());
  std::string erasable;
  ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
  EXPECT_EQ(payload.type_url(), Pack(Full()).type_url());

  // The readable part: everything but the marked fields.
  ErasableRecord kept = Full();
  kept.clear_name();
  kept.clear_age();
  kept.clear_aliases();
  kept.mutable_inner()->clear_secret();
  kept.clear_private_inner();
  kept.clear_private_list();
  kept.mutable_list(0)->clear_secret();
  kept.mutable_list(2)->clear_secret();
  kept.clear_choice();
  kept.mutable_child()->clear_name();
  ErasableRecord inside = Unpack<ErasableRecord>(Full().attachment());
  inside.clear_name();
  inside.mutable_inner()->clear_secret();
  kept.mutable_attachment()->PackFrom(inside);
  kept.mutable_attachments(0)->PackFrom(Inner("", 9));
  const ErasableRecord got = Unpack<ErasableRecord>(payload);
  EXPECT_TRUE(MessageDifferencer::Equals(
      Unpack<ErasableRecord>(got.attachment()), inside));
  EXPECT_TRUE(MessageDifferencer::Equals(
      Unpack<ErasableInner>(got.attachments(0)), Inner("", 9)));
  ErasableRecord got_outer = got, kept_outer = kept;
  got_outer.clear_attachment();
  got_outer.clear_attachments();
  kept_outer.clear_attachment();
  kept_outer.clear_attachments();
  EXPECT_TRUE(MessageDifferencer::Equals(got_outer, kept_outer))
      << got_outer.DebugString();
  EXPECT_EQ(payload.value().find("secret"), std::string::npos);
  EXPECT_EQ(payload.value().find("name"), std::string::npos);
  EXPECT_EQ(payload.value().find("alias"), std::string::npos);

  // The erasable part: the same type, the marked fields only.
  ErasableRecord part;
  ASSERT_TRUE(part.ParseFromString(erasable));
  EXPECT_EQ(part.name(), "name");
  EXPECT_EQ(part.age(), 41);
  EXPECT_EQ(part.aliases_size(), 2);
  EXPECT_EQ(part.inner().secret(), "inner-secret");
  EXPECT_EQ(part.inner().count(), 0);
  EXPECT_EQ(part.private_inner().count(), 6);
  EXPECT_EQ(part.private_list_size(), 1);
  ASSERT_EQ(part.list_size(), 3);  // one per element, in order
  EXPECT_EQ(part.list(1).ByteSizeLong(), 0u);
  EXPECT_EQ(part.list(2).secret(), "third-secret");
  EXPECT_EQ(part.private_choice(), "choice-secret");
  EXPECT_EQ(part.child().name(), "child-name");
  EXPECT_EQ(part.kind(), "");
  EXPECT_EQ(part.version(), 0);
  EXPECT_EQ(part.positions_size(), 0);
  EXPECT_EQ(part.attachment().type_url(), Full().attachment().type_url());
  const ErasableRecord inside_part = Unpack<ErasableRecord>(part.attachment());
  EXPECT_EQ(inside_part.name(), "inside-name");
  EXPECT_EQ(inside_part.inner().secret(), "inside-secret");
  EXPECT_EQ(inside_part.kind(), "");
  ASSERT_EQ(part.attachments_size(), 2);
  EXPECT_EQ(Unpack<ErasableInner>(part.attachments(0)).secret(), "any-secret");
  EXPECT_EQ(part.attachments(1).ByteSizeLong(), 0u);
}

TEST(ErasableFieldsTest, MergeRestoresTheOriginal) {
  Any payload = Pack(Full());
  std::string erasable;
  ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
  ASSERT_FALSE(erasable.empty());
  ASSERT_TRUE(MergeErasable(&payload, erasable).ok());
  const ErasableRecord merged = Unpack<ErasableRecord>(payload);
  // The nested Anys hold bytes: compare what they hold, then the rest.
  EXPECT_TRUE(
      MessageDifferencer::Equals(Unpack<ErasableRecord>(merged.attachment()),
                                 Unpack<ErasableRecord>(Full().attachment())));
  EXPECT_TRUE(MessageDifferencer::Equals(
      Unpack<ErasableInner>(merged.attachments(0)), Inner("any-secret", 9)));
  EXPECT_TRUE(MessageDifferencer::Equals(
      Unpack<PlainRecord>(merged.attachments(1)), PlainRecord()));
  ErasableRecord merged_outer = merged, full_outer = Full();
  merged_outer.clear_attachment();
  merged_outer.clear_attachments();
  full_outer.clear_attachment();
  full_outer.clear_attachments();
  EXPECT_TRUE(MessageDifferencer::Equals(merged_outer, full_outer))
      << merged_outer.DebugString();
}

TEST(ErasableFieldsTest, NestedAnyRoundTrips) {
  // An Any holding a record whose own Any holds a record.
  ErasableRecord deepest;
  deepest.set_name("deepest-name");
  deepest.set_kind("deepest-kind");
  ErasableRecord middle;
  middle.set_name("middle-name");
  middle.mutable_attachment()->PackFrom(deepest);
  ErasableRecord outer;
  outer.set_kind("outer-kind");
  outer.mutable_attachment()->PackFrom(middle);

  Any payload = Pack(outer);
  std::string erasable;
  ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
  const ErasableRecord public_outer = Unpack<ErasableRecord>(payload);
  const ErasableRecord public_middle =
      Unpack<ErasableRecord>(public_outer.attachment());
  const ErasableRecord public_deepest =
      Unpack<ErasableRecord>(public_middle.attachment());
  EXPECT_EQ(public_middle.name(), "");
  EXPECT_EQ(public_deepest.name(), "");
  EXPECT_EQ(public_deepest.kind(), "deepest-kind");

  ASSERT_TRUE(MergeErasable(&payload, erasable).ok());
  const ErasableRecord merged = Unpack<ErasableRecord>(payload);
  EXPECT_EQ(merged.kind(), "outer-kind");
  const ErasableRecord merged_middle =
      Unpack<ErasableRecord>(merged.attachment());
  EXPECT_EQ(merged_middle.name(), "middle-name");
  EXPECT_TRUE(MessageDifferencer::Equals(
      Unpack<ErasableRecord>(merged_middle.attachment()), deepest));
}

TEST(ErasableFieldsTest, NothingErasableSetLeavesThePayloadAlone) {
  ErasableRecord record;
  record.set_kind("kind");
  record.add_positions(3);
  record.mutable_inner()->set_count(4);
  record.add_list()->set_count(5);
  record.set_public_choice(6);
  record.mutable_attachment()->PackFrom(PlainRecord());
  Any payload = Pack(record);
  const std::string before = payload.SerializeAsString();
  std::string erasable = "stale";
  ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
  EXPECT_EQ(erasable, "");
  EXPECT_EQ(payload.SerializeAsString(), before);
  ASSERT_TRUE(MergeErasable(&payload, erasable).ok());
  EXPECT_EQ(payload.SerializeAsString(), before);

  // A type with nothing erasable is not even parsed: bytes that do not
  // parse pass through.
  Any plain;
  plain.set_type_url("type.googleapis.com/returnpath.v1.test.PlainRecord");
  plain.set_value("\xff\xff");
  ASSERT_TRUE(SplitErasable(&plain, &erasable).ok());
  EXPECT_EQ(erasable, "");
  EXPECT_EQ(plain.value(), "\xff\xff");
}

TEST(ErasableFieldsTest, SplitIsDeterministic) {
  Any first = Pack(Full());
  Any second = Pack(Full());
  std::string first_erasable, second_erasable;
  ASSERT_TRUE(SplitErasable(&first, &first_erasable).ok());
  ASSERT_TRUE(SplitErasable(&second, &second_erasable).ok());
  EXPECT_EQ(first.value(), second.value());
  EXPECT_EQ(first_erasable, second_erasable);
}

TEST(ErasableFieldsTest, UnknownTypeIsRefused) {
  Any payload;
  payload.set_type_url("type.googleapis.com/returnpath.v1.test.NoSuchType");
  std::string erasable;
  const absl::Status status = SplitErasable(&payload, &erasable);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("returnpath.v1.test.NoSuchType"),
            std::string::npos);
  EXPECT_EQ(MergeErasable(&payload, "x").code(),
            absl::StatusCode::kFailedPrecondition);

  // Inside an Any as well.
  ErasableRecord record;
  record.set_name("name");
  *record.mutable_attachment() = payload;
  Any outer = Pack(record);
  EXPECT_EQ(SplitErasable(&outer, &erasable).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ErasableFieldsTest, MapWithErasableValuesIsRefused) {
  ErasableMapRecord record;
  (*record.mutable_entries())["a"] = Inner("secret", 1);
  Any payload = Pack(record);
  std::string erasable;
  const absl::Status status = SplitErasable(&payload, &erasable);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_NE(
      status.message().find("returnpath.v1.test.ErasableMapRecord.entries"),
      std::string::npos)
      << status;
}

TEST(ErasableFieldsTest, MismatchedPartIsRefused) {
  Any payload = Pack(Full());
  std::string erasable;
  ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
  // The part of another payload: its list has another number of elements.
  ErasableRecord other = Full();
  other.add_list()->set_secret("fourth");
  Any other_payload = Pack(other);
  std::string other_erasable;
  ASSERT_TRUE(SplitErasable(&other_payload, &other_erasable).ok());
  EXPECT_EQ(MergeErasable(&payload, other_erasable).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeErasable(&payload, "\xff\xff").code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace returnpath::engine
