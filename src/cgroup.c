/* cgroup.c: being written; see src/README.md for its concern. */
#include "config.h"
