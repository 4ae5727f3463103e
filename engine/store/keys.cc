#include "store/keys.h"

#include <limits>

namespace returnpath::engine::keys {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

void PutString(std::string* out, absl::string_view s) {
  out->append(s.data(), s.size());
  out->push_back('\0');
}

// Reads up to the next '\0' and consumes it.
bool GetString(absl::string_view* in, std::string* s) {
  size_t end = in->find('\0');
  if (end == absl::string_view::npos) return false;
  s->assign(in->data(), end);
  in->remove_prefix(end + 1);
  return true;
}

bool GetRest(absl::string_view* in, std::string* s) {
  s->assign(in->data(), in->size());
  in->remove_prefix(in->size());
  return true;
}

// The time's key bytes (PutTime), inverted: later times sort first.
void PutInvertedTime(std::string* out, absl::Time t) {
  std::string bytes;
  PutTime(&bytes, t);
  for (char c : bytes) out->push_back(static_cast<char>(~c));
}

}  // namespace

const std::vector<std::string>& ColumnFamilies() {
  static const auto* const kAll = new std::vector<std::string>{
      kEvents,    kStreams,     kState, kTimers,    kTimerIds, kTasks,
      kTaskReady, kIdempotency, kIndex, kAccessLog, kMeta,     kKeys};
  return *kAll;
}

std::string StreamKey(absl::string_view stream) { return std::string(stream); }

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void PutI32(std::string* out, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v) ^ 0x80000000u;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((u >> shift) & 0xff));
  }
}

void PutTime(std::string* out, absl::Time t) {
  // ToUnixMicros saturates at the int64 limits for infinite times.
  int64_t micros = absl::ToUnixMicros(t);
  PutU64(out, static_cast<uint64_t>(micros) ^ kSignBit);
}

bool GetU64(absl::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}

bool GetTime(absl::string_view* in, absl::Time* t) {
  uint64_t biased;
  if (!GetU64(in, &biased)) return false;
  int64_t micros = static_cast<int64_t>(biased ^ kSignBit);
  if (micros == std::numeric_limits<int64_t>::max()) {
    *t = absl::InfiniteFuture();
  } else if (micros == std::numeric_limits<int64_t>::min()) {
    *t = absl::InfinitePast();
  } else {
    *t = absl::FromUnixMicros(micros);
  }
  return true;
}

std::string U64(uint64_t v) {
  std::string out;
  PutU64(&out, v);
  return out;
}

std::string Event(uint64_t position) { return U64(position); }

bool DecodeEvent(absl::string_view key, uint64_t* position) {
  return GetU64(&key, position) && key.empty();
}

std::string StreamPrefix(absl::string_view stream) {
  std::string out;
  PutString(&out, stream);
  return out;
}

std::string StreamVersion(absl::string_view stream, uint64_t version) {
  std::string out = StreamPrefix(stream);
  PutU64(&out, version);
  return out;
}

bool DecodeStreamVersion(absl::string_view key, std::string* stream,
                         uint64_t* version) {
  return GetString(&key, stream) && GetU64(&key, version) && key.empty();
}

std::string StreamItem(absl::string_view stream, absl::string_view id) {
  std::string out = StreamPrefix(stream);
  out.append(id.data(), id.size());
  return out;
}

bool DecodeStreamItem(absl::string_view key, std::string* stream,
                      std::string* id) {
  return GetString(&key, stream) && GetRest(&key, id);
}

std::string TimeOnly(absl::Time t) {
  std::string out;
  PutTime(&out, t);
  return out;
}

std::string TimerDue(absl::Time due, absl::string_view stream,
                     absl::string_view id) {
  std::string out = TimeOnly(due);
  PutString(&out, stream);
  out.append(id.data(), id.size());
  return out;
}

bool DecodeTimerDue(absl::string_view key, absl::Time* due, std::string* stream,
                    std::string* id) {
  return GetTime(&key, due) && GetString(&key, stream) && GetRest(&key, id);
}

std::string QueuePrefix(absl::string_view queue) { return StreamPrefix(queue); }

std::string TaskReady(absl::string_view queue, int32_t priority, absl::Time due,
                      absl::string_view stream, absl::string_view id) {
  std::string out = QueuePrefix(queue);
  PutI32(&out, priority);
  PutTime(&out, due);
  PutString(&out, stream);
  out.append(id.data(), id.size());
  return out;
}

bool DecodeTaskReady(absl::string_view key, std::string* queue,
                     std::string* stream, std::string* id) {
  absl::Time due;
  if (!GetString(&key, queue) || key.size() < 4) return false;
  key.remove_prefix(4);  // priority
  return GetTime(&key, &due) && GetString(&key, stream) && GetRest(&key, id);
}

bool DecodeTaskReadyDue(absl::string_view key, absl::string_view* queue,
                        absl::Time* due) {
  const size_t end = key.find('\0');
  if (end == absl::string_view::npos || key.size() < end + 1 + 4 + 8) {
    return false;
  }
  *queue = key.substr(0, end);
  key.remove_prefix(end + 1 + 4);  // the queue, its '\0' and the priority
  return GetTime(&key, due);
}

std::string CallerIdempotency(absl::string_view key) {
  return std::string(key);
}

std::string EngineIdempotency(absl::string_view key) {
  std::string out = "\xff";
  out.append(key.data(), key.size());
  return out;
}

std::string IndexEntry(absl::string_view index_key, absl::string_view stream) {
  std::string out;
  PutString(&out, index_key);
  out.append(stream.data(), stream.size());
  return out;
}

bool DecodeIndexEntry(absl::string_view key, std::string* index_key,
                      std::string* stream) {
  return GetString(&key, index_key) && GetRest(&key, stream);
}

std::string AccessRecord(uint64_t sequence) {
  std::string out(1, kAccessRecordTag);
  PutU64(&out, sequence);
  return out;
}

bool DecodeAccessRecord(absl::string_view key, uint64_t* sequence) {
  if (key.size() != 9 || key[0] != kAccessRecordTag) return false;
  key.remove_prefix(1);
  return GetU64(&key, sequence);
}

std::string AccessIndexPrefix(char tag, absl::string_view name) {
  std::string out(1, tag);
  if (tag != kAccessByTimeTag) PutString(&out, name);
  return out;
}

std::string AccessIndex(absl::string_view prefix, absl::Time time,
                        uint64_t sequence) {
  std::string out(prefix);
  PutInvertedTime(&out, time);
  PutU64(&out, ~sequence);
  return out;
}

bool DecodeAccessIndexSequence(absl::string_view key, uint64_t* sequence) {
  if (key.size() < 17) return false;
  key.remove_prefix(key.size() - 8);
  uint64_t inverted;
  if (!GetU64(&key, &inverted)) return false;
  *sequence = ~inverted;
  return true;
}

void AccessIndexRange(absl::string_view prefix, absl::Time from, absl::Time to,
                      std::string* start, std::string* limit) {
  *start = std::string(prefix);
  if (to != absl::InfiniteFuture()) {
    // The latest whole microsecond before `to` (keys hold microseconds).
    absl::Time latest = absl::FromUnixMicros(absl::ToUnixMicros(to));
    if (latest >= to) latest -= absl::Microseconds(1);
    PutInvertedTime(start, latest);
  }
  *limit = std::string(prefix);
  if (from != absl::InfinitePast()) PutInvertedTime(limit, from);
  *limit = PrefixEnd(*std::move(limit));
}

bool DecodeLegacyAccess(absl::string_view key, std::string* stream,
                        absl::Time* time) {
  return GetString(&key, stream) && GetTime(&key, time) && key.size() == 8;
}

}  // namespace returnpath::engine::keys
