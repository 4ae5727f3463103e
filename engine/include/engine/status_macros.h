#ifndef RETURNPATH_ENGINE_STATUS_MACROS_H_
#define RETURNPATH_ENGINE_STATUS_MACROS_H_

// Abseil 20220623 ships no status macros; these are the project's only ones.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RP_CONCAT_INNER_(a, b) a##b
#define RP_CONCAT_(a, b) RP_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define RP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status rp_status_ = (expr);      \
    if (!rp_status_.ok()) return rp_status_; \
  } while (0)

// `RP_ASSIGN_OR_RETURN(auto x, Foo());` assigns the value or returns the error.
#define RP_ASSIGN_OR_RETURN(lhs, expr) \
  RP_ASSIGN_OR_RETURN_IMPL_(RP_CONCAT_(rp_statusor_, __LINE__), lhs, expr)

#define RP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // RETURNPATH_ENGINE_STATUS_MACROS_H_
