// Tokenizers and counts behind the text-overlap metrics bleu and rouge_l (eval/text_overlap.cc).
//
// Contract:
// - Tokenize13a: sacreBLEU's default "13a" tokenizer (mteval-v13a): drops "<skipped>", joins
//   "-\n" line breaks, turns newlines into spaces, unescapes &quot; &amp; &lt; &gt;, puts spaces
//   around ASCII punctuation except . , - and ', splits . and , unless between digits, splits -
//   after a digit, then splits on ASCII whitespace. Case is kept. Non-ASCII bytes stay inside
//   their token.
// - RougeWords: lower-cased ASCII words; every ASCII character that is not a letter or digit
//   separates words (like rouge_score's default tokenizer, but bytes >= 0x80 stay word
//   characters instead of being dropped, so non-Latin text still scores).
// - CorpusBleu: sacrebleu.corpus_bleu(hyps, ref_sets) with its defaults (13a, exp smoothing):
//   ref_sets[k][i] is the k-th reference of hypothesis i, 0-100. The `bleu` metric is the same
//   computation with one reference per example.
// - LcsLength: longest common subsequence of two token sequences (O(|a| * |b|) time, O(|b|)
//   memory).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shrink::eval {

std::vector<std::string> Tokenize13a(const std::string& text);
std::vector<std::string> RougeWords(const std::string& text);
double CorpusBleu(const std::vector<std::string>& hyps,
                  const std::vector<std::vector<std::string>>& ref_sets);
int64_t LcsLength(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace shrink::eval
