#include "core/version.h"

#ifndef SHRINK_GIT_REVISION
#define SHRINK_GIT_REVISION "unknown"
#endif

namespace shrink {

const char* Version() { return SHRINK_VERSION; }
const char* GitRevision() { return SHRINK_GIT_REVISION; }

}  // namespace shrink
