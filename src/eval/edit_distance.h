// Levenshtein distance (unit costs for substitution, insertion, deletion) over symbol sequences,
// and the splitters that CER (UTF-8 code points) and WER (whitespace-separated words) use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shrink::eval {

int64_t EditDistance(const std::vector<std::string>& a, const std::vector<std::string>& b);
// One symbol per UTF-8 code point (a byte that starts no valid sequence is one symbol).
std::vector<std::string> Utf8Chars(const std::string& s);
// Words separated by runs of ASCII whitespace; no empty words.
std::vector<std::string> Words(const std::string& s);

}  // namespace shrink::eval
