#include "runtimes/ort_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/npy.h"

extern char** environ;

namespace shrink::runtimes {
namespace {

namespace fs = std::filesystem;

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Expected<std::unique_ptr<OrtSession>> OrtSession::Start(const OrtRunner& runner,
                                                        const std::string& model_path,
                                                        const OrtRunOptions& options) {
  const std::string where = "ONNX Runtime on '" + model_path + "'";
  std::error_code ec;
  if (!fs::is_regular_file(model_path, ec)) return NotFound(where + ": model file does not exist");
  if (options.intra_op_threads < 1) return InvalidArgument(where + ": threads must be >= 1");
  SHRINK_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("shrink-ort-serve-"));
  std::unique_ptr<OrtSession> s(new OrtSession(std::move(dir), where, options.timeout_seconds));

  // Everything the child needs is prepared before fork (only async-signal-safe calls after it).
  std::vector<std::string> argv = {runner.node_program(),
                                   runner.script_path(),
                                   "--serve",
                                   "--model",
                                   fs::absolute(model_path, ec).string(),
                                   "--threads",
                                   std::to_string(options.intra_op_threads),
                                   "--opt-level",
                                   options.optimization_level};
  std::vector<std::string> env = {"ORT_DISABLE_TELEMETRY=1"};
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "ORT_DISABLE_TELEMETRY=", 22) != 0) env.emplace_back(*e);
  std::vector<char*> cargv = CStrings(argv), cenv = CStrings(env);
  const std::string err_path = s->dir_.File("stderr.txt");
  const std::string work = s->dir_.path();

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return IOError(where + ": socketpair: " + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return IOError(where + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err < 0 || chdir(work.c_str()) != 0 || dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0 ||
        dup2(err, 2) < 0)
      _exit(127);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(sv[1]);
  s->pid_ = pid;
  s->fd_ = sv[0];

  Expected<std::string> ready = s->ReceiveLine();
  if (!ready.ok()) return ready.status();
  try {
    const auto j = nlohmann::json::parse(*ready);
    if (!j.value("ready", false)) throw std::runtime_error("no ready flag");
    s->inputs_ = j.at("inputs").get<std::vector<std::string>>();
    s->outputs_ = j.at("outputs").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    return Internal(where + ": unexpected first line from ort_run.js --serve (" + e.what() +
                    "): " + ready->substr(0, 300));
  }
  return s;
}

OrtSession::~OrtSession() {
  if (fd_ >= 0) close(fd_);  // end of input: the script releases the session and exits
  if (pid_ <= 0) return;
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, &status, 0);
}

std::string OrtSession::ChildError() const {
  std::ifstream in(dir_.File("stderr.txt"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string msg = ss.str();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  if (msg.rfind("ort_run: ", 0) == 0) msg = msg.substr(9);
  return msg;
}

Status OrtSession::Send(const std::string& line) {
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken_ = true;
      return Internal(where_ + ": the ONNX Runtime process went away (" + ChildError() + ")");
    }
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Expected<std::string> OrtSession::ReceiveLine() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_);
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (timeout_ > 0 && left <= 0) {
      broken_ = true;
      return ResourceExhausted(where_ + ": no answer within " + std::to_string(timeout_) + " s");
    }
    pollfd p{fd_, POLLIN, 0};
    const int r =
        poll(&p, 1, timeout_ > 0 ? static_cast<int>(std::min<int64_t>(left, 1000)) : 1000);
    if (r < 0 && errno != EINTR) {
      broken_ = true;
      return IOError(where_ + ": poll: " + std::strerror(errno));
    }
    if (r <= 0) continue;
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken_ = true;
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
      const std::string msg = ChildError();
      if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && !msg.empty())
        return InvalidArgument(where_ + ": " + msg);
      return Internal(where_ + ": the ONNX Runtime process ended unexpectedly" +
                      (msg.empty() ? std::string() : " (" + msg + ")"));
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Expected<NamedTensors> OrtSession::Run(const NamedTensors& feeds) {
  if (broken_) return Internal(where_ + ": the ONNX Runtime process is no longer usable");
  nlohmann::json req;
  req["out"] = dir_.File("out");
  req["inputs"] = nlohmann::json::array();
  for (size_t i = 0; i < feeds.size(); ++i) {
    const std::string file = dir_.File("in_" + std::to_string(i) + ".npy");
    Status s = WriteNpy(file, feeds[i].second);
    if (!s.ok()) return s.WithContext(where_ + ": feed '" + feeds[i].first + "'");
    req["inputs"].push_back({feeds[i].first, file});
  }
  SHRINK_RETURN_IF_ERROR(Send(req.dump() + "\n"));
  SHRINK_ASSIGN_OR_RETURN(std::string line, ReceiveLine());
  NamedTensors outputs;
  try {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("error")) return InvalidArgument(where_ + ": " + j["error"].get<std::string>());
    for (const auto& out : j.at("outputs")) {
      const std::string name = out.at("name").get<std::string>();
      Expected<Tensor> t = ReadNpy(out.at("file").get<std::string>());
      if (!t.ok()) return t.status().WithContext(where_ + ": output '" + name + "'");
      outputs.emplace_back(name, std::move(t).value());
    }
  } catch (const nlohmann::json::exception& e) {
    return Internal(where_ + ": cannot parse the answer of ort_run.js --serve (" + e.what() +
                    "): " + line.substr(0, 300));
  }
  return outputs;
}

}  // namespace shrink::runtimes
