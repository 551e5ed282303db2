#include "core/subprocess.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"

namespace shrink {
namespace {

TEST(SubprocessTest, CapturesStdoutStderrAndExitCode) {
  auto r = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(r->stderr_data, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->Succeeded());
  EXPECT_EQ(r->FailureMessage(), "exit code 3: err");
}

TEST(SubprocessTest, ArgumentsArePassedVerbatimWithoutAShell) {
  const std::vector<std::string> args = {"a b", "$HOME", "'q'", ";rm -rf x", "", "*"};
  std::vector<std::string> argv = {"printf", "[%s]\\n"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunProcess(argv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->Succeeded());
  std::string expected;
  for (const auto& a : args) expected += "[" + a + "]\n";
  EXPECT_EQ(r->stdout_data, expected);
}

TEST(SubprocessTest, StdinEnvironmentAndWorkingDir) {
  auto dir = TempDir::Create("subprocess-test-");
  ASSERT_TRUE(dir.ok());
  ProcessOptions opts;
  opts.stdin_data = std::string(300000, 'x') + "END";  // larger than a pipe buffer
  opts.env = {{"SHRINK_TEST_VAR", "v=1 2"}};
  opts.working_dir = dir->path();
  auto r = RunProcess(
      {"/bin/sh", "-c", "wc -c; printf '%s|' \"$SHRINK_TEST_VAR\"; pwd -P; test -n \"$PATH\""},
      opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->Succeeded()) << r->FailureMessage();
  const std::string real_dir = std::filesystem::canonical(dir->path()).string();
  EXPECT_EQ(r->stdout_data, "300003\nv=1 2|" + real_dir + "\n");
  // Without stdin_data the child reads /dev/null (EOF at once) instead of our stdin.
  auto empty = RunProcess({"/bin/sh", "-c", "wc -c"});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->stdout_data, "0\n");
}

TEST(SubprocessTest, LargeOutputOnBothStreamsDoesNotDeadlock) {
  auto r =
      RunProcess({"/bin/sh", "-c",
                  "i=0; while [ $i -lt 2000 ]; do echo 0123456789012345678901234567890123456789;"
                  " echo e0123456789012345678901234567890123456789 >&2; i=$((i+1)); done"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data.size(), 2000u * 41);
  EXPECT_EQ(r->stderr_data.size(), 2000u * 42);
  ProcessOptions opts;
  opts.max_output_bytes = 100;
  auto t = RunProcess({"/bin/sh", "-c", "head -c 100000 /dev/zero"}, opts);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->stdout_data.size(), 100u);
  EXPECT_TRUE(t->stdout_truncated);
  EXPECT_TRUE(t->Succeeded());
}

TEST(SubprocessTest, TimeoutKillsTheProcessGroup) {
  ProcessOptions opts;
  opts.timeout_seconds = 0.5;
  auto r = RunProcess({"/bin/sh", "-c", "echo started; sleep 30 & sleep 30"}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->Succeeded());
  EXPECT_LT(r->wall_seconds, 10);
  EXPECT_EQ(r->stdout_data, "started\n");
  EXPECT_NE(r->FailureMessage().find("timed out"), std::string::npos);
}

TEST(SubprocessTest, ChildExitingWhileGrandchildHoldsThePipesReturns) {
  auto r = RunProcess({"/bin/sh", "-c", "sleep 5 & echo done"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Succeeded());
  EXPECT_EQ(r->stdout_data, "done\n");
  EXPECT_LT(r->wall_seconds, 4);
}

TEST(SubprocessTest, SignalsAndStartFailures) {
  auto r = RunProcess({"/bin/sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, 9);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(RunProcess({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunProcess({"shrink-no-such-program-xyz"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(RunProcess({"/nonexistent/bin/x"}).status().code(), StatusCode::kNotFound);
  ProcessOptions bad_dir;
  bad_dir.working_dir = "/nonexistent-dir-for-shrink";
  auto d = RunProcess({"/bin/true"}, bad_dir);
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_NE(d.status().message().find("No such file"), std::string::npos);
}

TEST(SubprocessTest, FindProgram) {
  auto sh = FindProgram("sh");
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(sh->back(), 'h');
  EXPECT_EQ(sh->front(), '/');
  EXPECT_FALSE(FindProgram("shrink-no-such-program-xyz").ok());
}

TEST(TempDirTest, CreatesPrivateDirAndRemovesItRecursively) {
  std::string path;
  {
    auto dir = TempDir::Create("tempdir-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    path = dir->path();
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    std::filesystem::create_directories(dir->File("a/b"));
    std::ofstream(dir->File("a/b/f.txt")) << "x";
    TempDir moved = std::move(dir).value();
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(std::filesystem::exists(path + "/a/b/f.txt"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  auto kept = TempDir::Create("tempdir-test-");
  ASSERT_TRUE(kept.ok());
  std::string kept_path = kept->Release();
  kept = TempDir::Create("tempdir-test-");  // the released directory is not removed
  EXPECT_TRUE(std::filesystem::exists(kept_path));
  std::filesystem::remove_all(kept_path);
  EXPECT_EQ(TempDir::Create("a/b").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink
