#ifndef RETURNPATH_ENGINE_STORE_STREAM_WALK_H_
#define RETURNPATH_ENGINE_STORE_STREAM_WALK_H_

// Engine-internal: jobs over every stream (ReplayCheck, Statistics) read the
// log one stream at a time through the stream index, so they hold one
// stream's events and fold at a time rather than every stream's at once.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/store_view.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

// A forward walk over a table keyed "stream" or "stream \0 item" (streams,
// state, timer_ids, tasks). Stream ids never contain '\0', so key order is
// stream order in all of them. Not thread-safe; the view must outlive it.
class StreamCursor {
 public:
  // Over keys in [start, limit) (empty: to the end).
  StreamCursor(const StoreView& view, Table table, absl::string_view start = "",
               absl::string_view limit = "")
      : it_(view.Cursor(table, start, limit)) {}
  bool Valid() const { return it_->Valid(); }
  // REQUIRES: Valid().
  absl::string_view key() const { return it_->key(); }
  absl::string_view value() const { return it_->value(); }
  absl::string_view stream() const { return key().substr(0, key().find('\0')); }
  bool At(absl::string_view stream) const {
    return Valid() && this->stream() == stream;
  }
  void Next() { it_->Next(); }
  absl::Status status() const { return it_->status(); }

 private:
  std::unique_ptr<TableCursor> it_;
};

// Reads the events the stream index lists for the stream `index` is at, in
// version order, and moves `index` past them. An entry that is malformed or
// leads to no event of that stream and version is passed to `problem` (a
// sentence) and skipped. DATA_LOSS if a stored event does not decode.
// REQUIRES: index is a cursor over Table::kStreams of `view` and Valid().
absl::Status ReadIndexedStream(
    const StoreView& view, StreamCursor& index,
    std::vector<returnpath::v1::EventEnvelope>* events,
    absl::FunctionRef<void(std::string)> problem);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_STREAM_WALK_H_
