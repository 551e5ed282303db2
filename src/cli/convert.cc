// `shrink convert IN OUT [--opset N] [--external-data] [--json]`: load (sorting and verifying),
// optionally upgrade the ai.onnx opset (passes/upgrade_opset.h), clean and re-save a model.
#include <iostream>

#include "cli/commands.h"
#include "cli/model_summary.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "passes/upgrade_opset.h"

namespace shrink::cli {

void RegisterConvert(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("convert", "Load, sort, verify and re-save a model");
  struct Args {
    std::string in, out;
    bool external = false, json = false;
    size_t external_min_bytes = 1024;
    int64_t opset = -1;  // -1: keep
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("input", a->in, "ONNX model to read")->required();
  cmd->add_option("output", a->out, "ONNX model to write")->required();
  cmd->add_flag("--external-data", a->external, "Store weights in OUT.data next to the model");
  cmd->add_option(
      "--external-min-bytes", a->external_min_bytes,
      "With --external-data: tensors of at least this many bytes go external (default 1024)");
  cmd->add_option("--opset", a->opset,
                  "Upgrade the ai.onnx opset to N (rewriting ops whose signature changed)");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() -> Status {
                       SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a->in));
                       if (a->opset != -1)
                         SHRINK_RETURN_IF_ERROR(passes::UpgradeOpset(model, a->opset));
                       onnx_io::SaveOptions options;
                       options.external_data = a->external;
                       options.external_threshold_bytes = a->external_min_bytes;
                       SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, a->out, options));
                       const ModelSummary s = Summarize(model, a->out);
                       if (a->json) {
                         std::cout << nlohmann::json{{"input", a->in},
                                                     {"output", a->out},
                                                     {"nodes", s.nodes},
                                                     {"opset", model.OpsetFor("")},
                                                     {"bytes", s.file_bytes}}
                                          .dump(2)
                                   << "\n";
                       } else {
                         std::cout << "wrote " << a->out << " (" << s.nodes << " nodes, "
                                   << HumanBytes(s.file_bytes) << ")\n";
                       }
                       return Status::Ok();
                     }});
}

}  // namespace shrink::cli
