// One Register* function per command (one file each). A command adds its CLI11 subcommand and
// options to `app` and a runner that does the work and returns a Status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

#include "core/status.h"

namespace shrink::cli {

struct CommandRunner {
  CLI::App* command;
  std::function<Status()> run;
};

void RegisterInspect(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterRun(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterConvert(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterCompare(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterZoo(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterTask(CLI::App& app, std::vector<CommandRunner>& runners);
void RegisterBench(CLI::App& app, std::vector<CommandRunner>& runners);  // bench.cc (fast runtime)
void RegisterTrain(CLI::App& app, std::vector<CommandRunner>& runners);  // train.cc
void RegisterQuantize(CLI::App& app, std::vector<CommandRunner>& runners);  // quantize.cc
void RegisterEval(CLI::App& app, std::vector<CommandRunner>& runners);      // eval.cc
void RegisterCompress(CLI::App& app, std::vector<CommandRunner>& runners);  // compress.cc
void RegisterReport(CLI::App& app, std::vector<CommandRunner>& runners);    // report.cc

// Exit codes: 1 a check did not pass, 2 bad argument, 3 not found, 4 corrupt input, 5 unsupported,
// 6 refused path, 7 resource limit, 8 I/O, 70 internal.
int ExitCodeFor(const Status& s);

}  // namespace shrink::cli
