#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_WHAT_IF_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_WHAT_IF_H_

// What-if under another policy (engine/what_if.h, docs/what-if.md): the
// return pathway with one policy governing every event of every history, as
// if it had been in force throughout.

#include <string>

#include "engine/what_if.h"

namespace returnpath::return_pathway {

// Makes the workflow for a PolicyChoice: a version stored in `policy_dir`
// (read at each call, so a version added since the daemon started counts;
// NOT_FOUND "policy: no stored version named ...") or a policy's text
// (INVALID_ARGUMENT with the loader's message naming the source and field).
engine::WorkflowForPolicy WorkflowForPolicyIn(std::string policy_dir);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_WHAT_IF_H_
