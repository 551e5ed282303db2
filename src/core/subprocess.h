// Subprocess: runs a program with an argv vector (fork/exec, never a shell), captures its stdout
// and stderr, and enforces a timeout.
//
// Contract:
// - argv[0] is the program: an absolute/relative path, or a bare name searched in $PATH (execvp).
//   Arguments are passed verbatim; nothing is interpreted by a shell.
// - RunProcess returns an error Status only when the process cannot be started (empty argv,
//   program not found / not executable -> kNotFound, fork/pipe failure -> kIOError). A program
//   that starts and then fails is NOT an error: inspect ProcessResult (exit_code, term_signal,
//   timed_out) or use Succeeded() / FailureMessage().
// - The child runs in its own process group; on timeout the whole group gets SIGKILL.
// - stdin is `stdin_data` when given, else /dev/null. Each captured stream keeps at most
//   `max_output_bytes` (the rest is read and dropped; *_truncated says so).
// - Thread-safe: no global state is touched except the child's environment (set after fork).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace shrink {

struct ProcessOptions {
  std::string working_dir;  // empty: inherit the parent's
  // Variables set (or overridden) in the child's environment; the rest is inherited.
  std::vector<std::pair<std::string, std::string>> env;
  std::string stdin_data;                       // written to the child's stdin, then closed
  double timeout_seconds = 0;                   // <= 0: no timeout
  size_t max_output_bytes = size_t{256} << 20;  // per stream
};

struct ProcessResult {
  int exit_code = -1;   // exit status when the process exited normally, else -1
  int term_signal = 0;  // signal number when killed by a signal (incl. timeout), else 0
  bool timed_out = false;
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  double wall_seconds = 0;

  bool Succeeded() const { return !timed_out && term_signal == 0 && exit_code == 0; }
  // One line describing how the process failed ("exit code 1: <last stderr line(s)>",
  // "timed out after 5 s", "killed by signal 9"); empty when Succeeded().
  std::string FailureMessage() const;
};

Expected<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                   const ProcessOptions& options = {});

// Resolves a program name through $PATH (or checks a path containing '/'); kNotFound otherwise.
Expected<std::string> FindProgram(const std::string& name);

}  // namespace shrink
