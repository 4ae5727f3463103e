#ifndef RETURNPATH_ENGINE_TASKS_TASK_QUEUE_FIXTURE_H_
#define RETURNPATH_ENGINE_TASKS_TASK_QUEUE_FIXTURE_H_

// Test-only: a task queue over the runtime fixture's store, for the task
// queue's tests.

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine::testing {

using ::returnpath::v1::Task;

inline constexpr absl::Duration kLease = absl::Minutes(5);

class TaskQueueTest : public RuntimeTest {
 protected:
  TaskQueueTest() { MakeQueue(TaskQueueOptions{}); }
  ~TaskQueueTest() override { queue_.reset(); }

  void MakeQueue(TaskQueueOptions options) {
    queue_.reset();
    absl::StatusOr<std::unique_ptr<TaskQueue>> queue =
        TaskQueue::Create(store_.get(), &clock_, options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  // Opens task `id` for stream `stream` in queue "q".
  void Open(const std::string& stream, const std::string& id,
            int priority = 100, int due_day = 5, const std::string& q = "q") {
    Append(stream,
           absl::StrCat("open:", id, ":", q, ":", priority, ":", due_day));
  }

  std::optional<Task> Lease(const std::string& worker,
                            const std::string& q = "q",
                            absl::Duration lease = kLease) {
    absl::StatusOr<std::optional<Task>> task = queue_->Lease(q, worker, lease);
    EXPECT_TRUE(task.ok()) << task.status();
    return task.ok() ? *task : std::nullopt;
  }

  std::string LeasedId(const std::string& worker, const std::string& q = "q") {
    std::optional<Task> task = Lease(worker, q);
    return task.has_value() ? task->id() : "";
  }

  Task Stored(const std::string& stream, const std::string& id) {
    absl::StatusOr<Task> task = store_->GetTask(stream, id);
    EXPECT_TRUE(task.ok()) << task.status();
    return task.ok() ? *task : Task();
  }

  CompleteRequest Completion(const std::string& stream, const std::string& id,
                             const std::string& worker) {
    CompleteRequest r;
    r.task = TaskRef{stream, id, worker};
    r.outcome = "held";
    r.note = "went well";
    return r;
  }

  std::unique_ptr<TaskQueue> queue_;
};

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TASKS_TASK_QUEUE_FIXTURE_H_
