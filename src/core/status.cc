#include "core/status.h"

namespace shrink {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kUnimplemented:
      return "unimplemented";
    case StatusCode::kCorrupt:
      return "corrupt input";
    case StatusCode::kIOError:
      return "I/O error";
    case StatusCode::kResourceExhausted:
      return "resource limit";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kCheckFailed:
      return "check failed";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

void Throw(StatusCode code, const std::string& message) { throw Error(code, message); }

}  // namespace shrink
