// Status and Expected<T>: the error currency at every boundary of shrink.
//
// Contract: a function that can fail returns Status (no value) or Expected<T>. A Status carries a
// code and one human-readable line that names what failed and where (file, node, op, opset...).
// Exceptions never cross a part's public API; inside a part, shrink::Error may be thrown and is
// turned into a Status by that part's boundary (see ToStatus / SHRINK_CATCH_TO_STATUS).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace shrink {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller passed something malformed (bad flag, wrong shape, bad YAML)
  kNotFound,           // a file, model, value or kernel does not exist
  kUnimplemented,      // valid input that shrink does not support (yet): op, attribute, dtype
  kCorrupt,            // input data is damaged: truncated protobuf, data/shape disagreement
  kIOError,            // the OS refused a read or write
  kResourceExhausted,  // a configured limit (memory, size) would be exceeded
  kPermissionDenied,   // a hostile or forbidden path (absolute, '..', symlink escape)
  kCheckFailed,        // a requested check ran and did not pass (cross-check, conformance)
  kInternal,           // a bug in shrink
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;
  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
inline Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status CheckFailed(std::string m) { return {StatusCode::kCheckFailed, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Expected(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(data_).ok()) data_ = Status(StatusCode::kInternal, "ok Status as error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

// Thrown inside a part only (kernels, parsers); converted to Status at the part's boundary.
class Error : public std::runtime_error {
 public:
  Error(StatusCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  StatusCode code() const { return code_; }
  Status ToStatus() const { return Status(code_, what()); }

 private:
  StatusCode code_;
};

[[noreturn]] void Throw(StatusCode code, const std::string& message);
[[noreturn]] inline void Throw(const Status& s) { Throw(s.code(), s.message()); }

}  // namespace shrink

#define SHRINK_CONCAT_INNER_(a, b) a##b
#define SHRINK_CONCAT_(a, b) SHRINK_CONCAT_INNER_(a, b)

#define SHRINK_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::shrink::Status shrink_status_ = (expr);        \
    if (!shrink_status_.ok()) return shrink_status_; \
  } while (0)

#define SHRINK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define SHRINK_ASSIGN_OR_RETURN(lhs, expr) \
  SHRINK_ASSIGN_OR_RETURN_IMPL_(SHRINK_CONCAT_(shrink_expected_, __LINE__), lhs, expr)

// Throws shrink::Error(kInvalidArgument) with the streamed message when cond is false.
// For use inside parts (kernels, parsers) only.
#define SHRINK_CHECK(cond, msg)                                                  \
  do {                                                                           \
    if (!(cond)) ::shrink::Throw(::shrink::StatusCode::kInvalidArgument, (msg)); \
  } while (0)
