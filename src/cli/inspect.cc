// `shrink inspect MODEL [--json]`
#include <iostream>

#include "cli/commands.h"
#include "cli/model_summary.h"
#include "onnx/import.h"

namespace shrink::cli {

void RegisterInspect(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("inspect",
                                 "Show ops, parameters, size, opsets, inputs/outputs of a model");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("model", *path, "ONNX model file")->required();
  cmd->add_flag("--json", *json, "Machine-readable output");
  runners.push_back({cmd, [path, json]() -> Status {
                       SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(*path));
                       const ModelSummary s = Summarize(model, *path);
                       if (*json)
                         std::cout << ToJson(s).dump(2) << "\n";
                       else
                         std::cout << ToText(s);
                       return Status::Ok();
                     }});
}

}  // namespace shrink::cli
