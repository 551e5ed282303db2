// The shrink command-line tool. Thin: every command lives in src/cli.
#include "cli/app.h"

int main(int argc, char** argv) { return shrink::cli::Main(argc, argv); }
