#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/tensor.h"

namespace shrink::cli {

namespace {
// "shrink task validate" for a nested subcommand.
std::string CommandPath(const CLI::App& cmd) {
  std::string path = cmd.get_name();
  for (const CLI::App* p = cmd.get_parent(); p; p = p->get_parent())
    path = (p->get_parent() ? p->get_name() : std::string("shrink")) + " " + path;
  return path;
}
}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"shrink: model compression toolkit (ONNX in, smaller and faster ONNX out)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("shrink ") + SHRINK_VERSION);
  double max_tensor_gb = 16;
  app.add_option("--max-tensor-gb", max_tensor_gb,
                 "Refuse any single tensor larger than this (GB; protects against hostile shapes)")
      ->check(CLI::PositiveNumber);
  std::vector<CommandRunner> runners;
  RegisterInspect(app, runners);
  RegisterRun(app, runners);
  RegisterConvert(app, runners);
  RegisterCompare(app, runners);
  RegisterZoo(app, runners);
  RegisterTask(app, runners);
  RegisterBench(app, runners);
  RegisterTrain(app, runners);
  RegisterQuantize(app, runners);
  RegisterEval(app, runners);
  RegisterCompress(app, runners);
  RegisterReport(app, runners);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  SetTensorMemoryLimit(static_cast<size_t>(max_tensor_gb * 1e9));
  try {
    for (auto& r : runners)
      if (r.command->parsed() && r.command->get_subcommands().empty()) {
        const Status s = r.run();
        if (!s.ok()) {
          std::cerr << CommandPath(*r.command) << ": " << s.ToString() << "\n";
          return ExitCodeFor(s);
        }
        return 0;
      }
  } catch (const std::exception& e) {
    std::cerr << "shrink: internal error: " << e.what() << "\n";
    return 70;
  }
  return 1;
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kNotFound:
      return 3;
    case StatusCode::kCorrupt:
      return 4;
    case StatusCode::kUnimplemented:
      return 5;
    case StatusCode::kPermissionDenied:
      return 6;
    case StatusCode::kResourceExhausted:
      return 7;
    case StatusCode::kIOError:
      return 8;
    case StatusCode::kCheckFailed:
      return 1;
    case StatusCode::kInternal:
      return 70;
  }
  return 1;
}

}  // namespace shrink::cli
