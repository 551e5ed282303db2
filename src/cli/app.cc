#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace shrink::cli {

int Main(int argc, char** argv) {
  CLI::App app{"shrink: model compression toolkit (ONNX in, smaller and faster ONNX out)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("shrink ") + SHRINK_VERSION);
  std::vector<CommandRunner> runners;
  RegisterInspect(app, runners);
  RegisterRun(app, runners);
  RegisterConvert(app, runners);
  RegisterCompare(app, runners);
  RegisterZoo(app, runners);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& r : runners)
      if (r.command->parsed() && r.command->get_subcommands().empty()) {
        const Status s = r.run();
        if (!s.ok()) {
          std::cerr << "shrink " << r.command->get_name() << ": " << s.ToString() << "\n";
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
