// shrink's version and the git revision it was built from (read when CMake configured the build;
// "unknown" outside a git checkout; a "-dirty" suffix when the tree had uncommitted changes).
#pragma once

namespace shrink {

const char* Version();
const char* GitRevision();

}  // namespace shrink
