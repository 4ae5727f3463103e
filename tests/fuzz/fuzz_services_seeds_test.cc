// The seeds of fuzz_services (tests/fuzz/corpus/fuzz_services/, written by
// make_seeds.sh) are named RPC[.VARIANT].CALLER. Byte 0 of each must select
// that RPC in fuzz_services.cc (its index in testing::EveryRpc()) and the rest
// must decode as that RPC's request, so that a new or reordered RPC fails
// here instead of silently pointing the corpus at other RPCs. Every RPC has a
// seed.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "returnpath/v1/services.pb.h"
#include "tests/testing/raw_rpc.h"

namespace returnpath::testing {
namespace {

constexpr uint8_t kCallers = 6;  // the tokens of fuzz_services.cc, and none

struct Seed {
  std::string file;  // its name in the corpus
  std::string bytes;
};

std::vector<Seed> Seeds() {
  std::vector<Seed> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(SEED_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.push_back({entry.path().filename().string(),
                     std::string(std::istreambuf_iterator<char>(in), {})});
  }
  return seeds;
}

// EveryRpc(), with the generated services linked into the descriptor pool it
// reads.
std::vector<Rpc> Rpcs() {
  if (v1::RecordEventRequest::descriptor() == nullptr) std::abort();
  return EveryRpc();
}

// The index in EveryRpc() of the RPC named `name`; -1 if none is.
int IndexOf(const std::vector<Rpc>& rpcs, const std::string& name) {
  for (size_t i = 0; i < rpcs.size(); ++i) {
    if (rpcs[i].method->name() == name) return static_cast<int>(i);
  }
  return -1;
}

TEST(FuzzServicesSeedsTest, EachSeedSelectsTheRpcItsNameNamesAndDecodes) {
  const std::vector<Rpc> rpcs = Rpcs();
  const std::vector<Seed> seeds = Seeds();
  ASSERT_FALSE(seeds.empty()) << SEED_DIR;
  for (const Seed& seed : seeds) {
    SCOPED_TRACE(seed.file);
    const int index = IndexOf(rpcs, seed.file.substr(0, seed.file.find('.')));
    ASSERT_GE(index, 0) << "the name names no RPC";
    ASSERT_GE(seed.bytes.size(), 2u);
    EXPECT_EQ(static_cast<uint8_t>(seed.bytes[0]), index)
        << "byte 0 selects "
        << rpcs[static_cast<uint8_t>(seed.bytes[0]) % rpcs.size()].path
        << ", not " << rpcs[index].path << ": run tests/fuzz/make_seeds.sh";
    EXPECT_LT(static_cast<uint8_t>(seed.bytes[1]), kCallers);
    const google::protobuf::Descriptor* type = rpcs[index].method->input_type();
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(type)
            ->New());
    ASSERT_TRUE(request->ParseFromString(seed.bytes.substr(2)))
        << "not a " << type->full_name();
    EXPECT_TRUE(request->GetReflection()->GetUnknownFields(*request).empty())
        << "fields a " << type->full_name() << " does not have";
  }
}

TEST(FuzzServicesSeedsTest, EveryRpcHasASeed) {
  std::set<std::string> seeded;
  for (const Seed& seed : Seeds()) {
    seeded.insert(seed.file.substr(0, seed.file.find('.')));
  }
  for (const Rpc& rpc : Rpcs()) {
    EXPECT_EQ(seeded.count(rpc.method->name()), 1u)
        << rpc.path << " has no seed in " << SEED_DIR;
  }
}

}  // namespace
}  // namespace returnpath::testing
