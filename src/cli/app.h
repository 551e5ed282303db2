// The `shrink` command line: parses arguments (CLI11) and dispatches to one command per file.
// Every user error prints one clear line on stderr and returns a non-zero exit code; no exception
// leaves Main().
#pragma once

namespace shrink::cli {

int Main(int argc, char** argv);

}  // namespace shrink::cli
