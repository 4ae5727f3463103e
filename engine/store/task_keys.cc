#include "store/task_keys.h"

#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine::task_keys {
namespace {

using returnpath::v1::Task;

std::string Prefix(char family, absl::string_view queue) {
  std::string out(1, '\0');
  out.push_back(family);
  out.append(keys::QueuePrefix(queue));
  return out;
}

// Consumes the "\0<family>queue\0" part.
bool SkipPrefix(char family, absl::string_view* key) {
  if (key->size() < 2 || (*key)[0] != '\0' || (*key)[1] != family) return false;
  key->remove_prefix(2);
  size_t end = key->find('\0');
  if (end == absl::string_view::npos) return false;
  key->remove_prefix(end + 1);
  return true;
}

bool DecodeItem(absl::string_view key, std::string* stream, std::string* id) {
  return keys::DecodeStreamItem(key, stream, id);
}

}  // namespace

std::string Ready(const Task& task) {
  return keys::TaskReady(task.queue(), task.priority(),
                         FromTimestamp(task.due_time()), task.stream_id(),
                         task.id());
}

std::string DelayedPrefix(absl::string_view queue) {
  return Prefix('D', queue);
}

std::string AllDelayedPrefix() { return std::string("\0D", 2); }

std::string Delayed(absl::string_view queue, absl::Time at,
                    absl::string_view stream, absl::string_view id) {
  std::string out = DelayedPrefix(queue);
  keys::PutTime(&out, at);
  out.append(keys::StreamItem(stream, id));
  return out;
}

bool DecodeDelayed(absl::string_view key, absl::Time* at, std::string* stream,
                   std::string* id) {
  return SkipPrefix('D', &key) && keys::GetTime(&key, at) &&
         DecodeItem(key, stream, id);
}

std::string MarkedPrefix(Mark mark, absl::string_view queue) {
  return Prefix(static_cast<char>(mark), queue);
}

bool DecodeMarked(Mark mark, absl::string_view key, std::string* stream,
                  std::string* id) {
  return SkipPrefix(static_cast<char>(mark), &key) &&
         DecodeItem(key, stream, id);
}

std::string MarkedFor(const Task& task) {
  Mark mark;
  if (task.state() == returnpath::v1::TASK_STATE_DEAD_LETTER) {
    mark = Mark::kDead;
  } else if (task.state() == returnpath::v1::TASK_STATE_PAUSED) {
    mark = Mark::kPaused;
  } else {
    return "";
  }
  return MarkedPrefix(mark, task.queue()) +
         keys::StreamItem(task.stream_id(), task.id());
}

std::string DelayedFor(const Task& task, absl::Time now) {
  if (task.state() == returnpath::v1::TASK_STATE_LEASED) {
    return Delayed(task.queue(), FromTimestamp(task.lease_expires()),
                   task.stream_id(), task.id());
  }
  if (task.state() == returnpath::v1::TASK_STATE_OPEN &&
      FromTimestamp(task.visible_time()) > now) {
    return Delayed(task.queue(), FromTimestamp(task.visible_time()),
                   task.stream_id(), task.id());
  }
  return "";
}

bool SameMicros(absl::Time a, absl::Time b) {
  return absl::ToUnixMicros(a) == absl::ToUnixMicros(b);
}

}  // namespace returnpath::engine::task_keys
