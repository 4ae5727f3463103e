#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PROPERTY_TEXT_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PROPERTY_TEXT_H_

// What the property tests print when two folds disagree or a compliance
// finding shows: every field of a transition, statistic keys, and the log and
// tasks a finding was made on, one line each.

#include <string>
#include <vector>

#include "engine/history_checker.h"
#include "engine/workflow.h"

namespace returnpath::return_pathway {

std::string Describe(const engine::TaskSpec& t);
std::string Describe(const engine::Transition& t);
std::string Describe(const std::vector<engine::Workflow::StatisticKey>& keys);
std::string DescribeEvidence(const engine::StreamEvidence& e);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PROPERTY_TEXT_H_
