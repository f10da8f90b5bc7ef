/* `ringfence run`: create the leaf, start the command in it, supervise, classify. */
#ifndef RINGFENCE_RUN_H
#define RINGFENCE_RUN_H

#include "ringfence/error.h"
#include "ringfence/plan.h"
#include "ringfence/verdict.h"

/* Run plan->proc.argv under the plan. Returns 0 once the command was attempted:
 * `v` then says how it ended (including a launch failure inside the child,
 * verdict "launch-failed" with 125/126/127). Returns -1 with `err` when ringfence
 * itself failed before the command could start; nothing is left behind. */
int rf_run(const rf_plan *plan, const rf_diag *diag, rf_verdict *v, rf_error *err);

#endif
