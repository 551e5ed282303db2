// `shrink zoo list|fetch|check` (filled in once the zoo part lands).
#include "cli/commands.h"

namespace shrink::cli {

void RegisterZoo(CLI::App&, std::vector<CommandRunner>&) {}

}  // namespace shrink::cli
