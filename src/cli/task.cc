// `shrink task validate TASK.yaml [--json]`
#include "data/task.h"

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "data/task_summary.h"

namespace shrink::cli {

void RegisterTask(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* task = app.add_subcommand("task", "Task files: datasets, output mapping, metric, cohorts");
  task->require_subcommand(1);
  auto* validate = task->add_subcommand("validate", "Check a task file and print its summary");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  validate->add_option("task", *path, "Task YAML file")->required();
  validate->add_flag("--json", *json, "Machine-readable output");
  runners.push_back({validate, [path, json]() -> Status {
                       SHRINK_ASSIGN_OR_RETURN(data::TaskSpec spec, data::LoadTask(*path));
                       if (*json)
                         std::cout << data::TaskToJson(spec).dump(2) << "\n";
                       else
                         std::cout << data::TaskSummaryText(spec);
                       return Status::Ok();
                     }});
}

}  // namespace shrink::cli
