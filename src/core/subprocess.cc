#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace shrink {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::strerror(err); }

// Closes the fds it owns on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

bool MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  return true;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Builds "KEY=VALUE" strings: the inherited environment with `overrides` applied.
std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [k, v] : overrides) overridden = overridden || k == key;
    if (!overridden) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecChild(int stdin_fd, int stdout_fd, int stderr_fd, int error_fd,
                            const char* working_dir, const char* program, char* const* argv,
                            char* const* envp) {
  ::setpgid(0, 0);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) {
    int err = errno;
    (void)!::write(error_fd, &err, sizeof(err));
    ::_exit(127);
  }
  if (working_dir != nullptr && ::chdir(working_dir) != 0) {
    int err = errno;
    (void)!::write(error_fd, &err, sizeof(err));
    ::_exit(127);
  }
  ::execve(program, argv, envp);
  int err = errno;
  (void)!::write(error_fd, &err, sizeof(err));
  ::_exit(127);
}

// Appends what is readable on `fd` to `out` (up to `limit`); returns false at EOF or error.
bool DrainOnce(int fd, std::string& out, bool& truncated, size_t limit) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  size_t room = out.size() < limit ? limit - out.size() : 0;
  size_t take = std::min(room, static_cast<size_t>(n));
  out.append(buf, take);
  if (take < static_cast<size_t>(n)) truncated = true;
  return true;
}

void FinalDrain(int fd, std::string& out, bool& truncated, size_t limit) {
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
    size_t room = out.size() < limit ? limit - out.size() : 0;
    size_t take = std::min(room, static_cast<size_t>(n));
    out.append(buf, take);
    if (take < static_cast<size_t>(n)) truncated = true;
  }
}

void FillStatus(int wstatus, ProcessResult& result) {
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.term_signal = WTERMSIG(wstatus);
}

// Writing to a pipe whose reader has exited raises SIGPIPE; block it on this thread while the
// child runs and consume any pending instance afterwards, leaving the process' disposition alone.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~ScopedSigpipeBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    struct timespec zero = {0, 0};
    while (::sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
};

}  // namespace

std::string ProcessResult::FailureMessage() const {
  if (Succeeded()) return "";
  std::string head;
  if (timed_out) {
    head = "timed out";
  } else if (term_signal != 0) {
    head = "killed by signal " + std::to_string(term_signal);
  } else {
    head = "exit code " + std::to_string(exit_code);
  }
  // The tail of stderr usually holds the reason; keep it to a few hundred characters.
  std::string tail = stderr_data;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' '))
    tail.pop_back();
  constexpr size_t kMax = 1500;
  if (tail.size() > kMax) tail = "..." + tail.substr(tail.size() - kMax);
  for (char& c : tail)
    if (c == '\n') c = ' ';
  return tail.empty() ? head : head + ": " + tail;
}

Expected<std::string> FindProgram(const std::string& name) {
  if (name.empty()) return InvalidArgument("FindProgram: empty program name");
  if (name.find('/') != std::string::npos) {
    if (IsExecutableFile(name)) return name;
    return NotFound("program '" + name + "' does not exist or is not executable");
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return NotFound("program '" + name + "' not found in $PATH");
}

Expected<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                   const ProcessOptions& options) {
  if (argv.empty()) return InvalidArgument("RunProcess: empty argv");
  SHRINK_ASSIGN_OR_RETURN(std::string program, FindProgram(argv[0]));

  // Everything the child needs is prepared before fork (no allocation after it).
  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  std::vector<std::string> env = BuildEnvironment(options.env);
  std::vector<char*> c_env = CStrings(env);
  const char* working_dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();

  Fd in_r, in_w, out_r, out_w, err_r, err_w, exec_r, exec_w;
  if (!MakePipe(in_r, in_w) || !MakePipe(out_r, out_w) || !MakePipe(err_r, err_w) ||
      !MakePipe(exec_r, exec_w))
    return IOError("RunProcess: pipe: " + ErrnoText(errno));
  Fd dev_null;
  if (options.stdin_data.empty()) {
    dev_null.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0) return IOError("RunProcess: open /dev/null: " + ErrnoText(errno));
  }

  ScopedSigpipeBlock sigpipe_block;
  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) return IOError("RunProcess: fork: " + ErrnoText(errno));
  if (pid == 0) {
    ExecChild(options.stdin_data.empty() ? dev_null.get() : in_r.get(), out_w.get(), err_w.get(),
              exec_w.get(), working_dir, program.c_str(), c_args.data(), c_env.data());
  }
  ::setpgid(pid, pid);  // also done in the child; whichever runs first wins, both are fine
  in_r.Close();
  out_w.Close();
  err_w.Close();
  exec_w.Close();
  dev_null.Close();

  // exec reports failure through the CLOEXEC pipe; EOF without data means exec succeeded.
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_r.get(), &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof(exec_errno))) {
    int wstatus;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    return NotFound("cannot start '" + program + "': " + ErrnoText(exec_errno));
  }

  ProcessResult result;
  if (options.stdin_data.empty()) in_w.Close();
  if (in_w.get() >= 0) ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  size_t stdin_written = 0;
  const bool has_deadline = options.timeout_seconds > 0;
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(has_deadline ? options.timeout_seconds : 0));
  bool out_open = true, err_open = true, reaped = false;
  int wstatus = 0;

  while (out_open || err_open || !reaped) {
    int wait_ms = 50;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(wait_ms, left.count() + 1));
    }
    if (!out_open && !err_open) {
      // Pipes closed; wait for the exit itself.
      pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
      if (r == pid) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_ms, 5)));
      continue;
    }
    pollfd fds[3];
    int n = 0;
    int out_idx = -1, err_idx = -1, in_idx = -1;
    if (out_open) {
      out_idx = n;
      fds[n++] = {out_r.get(), POLLIN, 0};
    }
    if (err_open) {
      err_idx = n;
      fds[n++] = {err_r.get(), POLLIN, 0};
    }
    if (in_w.get() >= 0) {
      in_idx = n;
      fds[n++] = {in_w.get(), POLLOUT, 0};
    }
    int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      return IOError("RunProcess: poll: " + ErrnoText(errno));
    }
    if (ready == 0) {
      // Nothing to read: the child may have exited while a grandchild keeps the pipes open.
      if (!reaped && ::waitpid(pid, &wstatus, WNOHANG) == pid) reaped = true;
      if (reaped) break;
      continue;
    }
    if (out_idx >= 0 && (fds[out_idx].revents & (POLLIN | POLLHUP | POLLERR)))
      out_open = DrainOnce(out_r.get(), result.stdout_data, result.stdout_truncated,
                           options.max_output_bytes);
    if (err_idx >= 0 && (fds[err_idx].revents & (POLLIN | POLLHUP | POLLERR)))
      err_open = DrainOnce(err_r.get(), result.stderr_data, result.stderr_truncated,
                           options.max_output_bytes);
    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      if (fds[in_idx].revents & (POLLERR | POLLHUP)) {
        in_w.Close();
      } else {
        ssize_t w = ::write(in_w.get(), options.stdin_data.data() + stdin_written,
                            options.stdin_data.size() - stdin_written);
        if (w > 0) stdin_written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
            stdin_written == options.stdin_data.size())
          in_w.Close();
      }
    }
  }

  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  if (!reaped) {
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
  // Collect what is still buffered in the pipes (non-blocking: a grandchild may hold them).
  FinalDrain(out_r.get(), result.stdout_data, result.stdout_truncated, options.max_output_bytes);
  FinalDrain(err_r.get(), result.stderr_data, result.stderr_truncated, options.max_output_bytes);
  FillStatus(wstatus, result);
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace shrink
