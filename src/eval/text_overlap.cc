// bleu and rouge_l.
// bleu: sacreBLEU-compatible corpus BLEU (one reference per example in the metric; CorpusBleu()
// takes several reference sets like sacrebleu.corpus_bleu), 13a tokens, n-grams 1..4,
// "exp" smoothing, brevity penalty exp(1 - ref_len / hyp_len) when the corpus hypotheses are
// shorter, 0 when no n-gram matches), reported 0-100 like sacreBLEU. Each example keeps its
// clipped matches and n-gram totals per order plus both lengths; Compute() sums them weighted.
// rouge_l: per-example F1 of the word LCS (precision LCS / |hyp|, recall LCS / |ref|; 0 when
// either side has no words), averaged over examples, reported 0-1 like rouge_score.
#include "eval/text_overlap.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "eval/metric_impl.h"

namespace shrink::eval {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 13a's first regex: ASCII punctuation that always becomes its own token.
bool IsSplitPunct(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s->find(from, pos)) != std::string::npos; pos += to.size())
    s->replace(pos, from.size(), to);
}

// Left-to-right, non-overlapping rewriting of two-character matches (Python's re.sub on a
// two-character pattern).
template <typename Match, typename Emit>
std::string RewritePairs(const std::string& s, Match match, Emit emit) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && match(s[i], s[i + 1])) {
      emit(s[i], s[i + 1], &out);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::vector<std::string> SplitSpace(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

std::vector<std::string> Tokenize13a(const std::string& text) {
  std::string line = text;
  ReplaceAll(&line, "<skipped>", "");
  ReplaceAll(&line, "-\n", "");
  ReplaceAll(&line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    ReplaceAll(&line, "&quot;", "\"");
    ReplaceAll(&line, "&amp;", "&");
    ReplaceAll(&line, "&lt;", "<");
    ReplaceAll(&line, "&gt;", ">");
  }
  std::string s = " ";
  for (char c : line) {
    if (IsSplitPunct(c)) {
      s += ' ';
      s += c;
      s += ' ';
    } else {
      s += c;
    }
  }
  s += ' ';
  const auto period_comma = [](char c) { return c == '.' || c == ','; };
  s = RewritePairs(
      s, [&](char a, char b) { return !IsDigit(a) && period_comma(b); },
      [](char a, char b, std::string* o) {
        *o += std::string{a, ' ', b, ' '};
      });
  s = RewritePairs(
      s, [&](char a, char b) { return period_comma(a) && !IsDigit(b); },
      [](char a, char b, std::string* o) {
        *o += std::string{' ', a, ' ', b};
      });
  s = RewritePairs(
      s, [](char a, char b) { return IsDigit(a) && b == '-'; },
      [](char a, char b, std::string* o) {
        *o += std::string{a, ' ', b, ' '};
      });
  return SplitSpace(s);
}

std::vector<std::string> RougeWords(const std::string& text) {
  std::string s;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) {
      s += static_cast<char>(std::tolower(u));
    } else {
      s += ' ';
    }
  }
  return SplitSpace(s);
}

int64_t LcsLength(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<int64_t> row(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diag = 0;  // row[j - 1] of the previous row
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diag + 1 : std::max(row[j], row[j - 1]);
      diag = up;
    }
  }
  return row[b.size()];
}

namespace detail {
namespace {

constexpr int kOrder = 4;

// Per example: matches[0..3], totals[0..3], hypothesis length, reference length.
using BleuStats = std::array<double, 2 * kOrder + 2>;

using NgramCounts = std::map<std::vector<std::string>, int64_t>;

NgramCounts Ngrams(const std::vector<std::string>& toks, int n) {
  NgramCounts c;
  for (size_t i = 0; i + n <= toks.size(); ++i)
    ++c[std::vector<std::string>(toks.begin() + i, toks.begin() + i + n)];
  return c;
}

// sacreBLEU's statistics with several references: an n-gram's clip count is its largest count in
// any reference; the reference length is the one closest to the hypothesis length (the shorter
// one on ties).
BleuStats SentenceStats(const std::string& hyp_text, const std::vector<std::string>& ref_texts) {
  const auto hyp = Tokenize13a(hyp_text);
  std::vector<std::vector<std::string>> refs;
  for (const std::string& r : ref_texts) refs.push_back(Tokenize13a(r));
  BleuStats s{};
  for (int n = 1; n <= kOrder; ++n) {
    NgramCounts ref_counts;
    for (const auto& ref : refs)
      for (const auto& [gram, count] : Ngrams(ref, n))
        ref_counts[gram] = std::max(ref_counts[gram], count);
    double matches = 0, total = 0;
    for (const auto& [gram, count] : Ngrams(hyp, n)) {
      total += static_cast<double>(count);
      const auto it = ref_counts.find(gram);
      if (it != ref_counts.end()) matches += static_cast<double>(std::min(count, it->second));
    }
    s[n - 1] = matches;
    s[kOrder + n - 1] = total;
  }
  const auto hyp_len = static_cast<int64_t>(hyp.size());
  int64_t ref_len = -1;
  for (const auto& ref : refs) {
    const auto len = static_cast<int64_t>(ref.size());
    const int64_t d = std::abs(len - hyp_len), best = std::abs(ref_len - hyp_len);
    if (ref_len < 0 || d < best || (d == best && len < ref_len)) ref_len = len;
  }
  s[2 * kOrder] = static_cast<double>(hyp_len);
  s[2 * kOrder + 1] = static_cast<double>(std::max<int64_t>(ref_len, 0));
  return s;
}

double CorpusBleu(const BleuStats& s) {
  const double hyp_len = s[2 * kOrder], ref_len = s[2 * kOrder + 1];
  bool any_match = false;
  for (int n = 0; n < kOrder; ++n) any_match = any_match || s[n] > 0;
  if (!any_match) return 0.0;
  const double bp = hyp_len < ref_len ? std::exp(1.0 - ref_len / hyp_len) : 1.0;
  double log_sum = 0, smooth = 1;
  for (int n = 0; n < kOrder; ++n) {
    const double matches = s[n], total = s[kOrder + n];
    double p = 0;  // a missing order (hypotheses shorter than n) makes the score ~0
    if (total > 0 && matches > 0) {
      p = 100.0 * matches / total;
    } else if (total > 0) {
      smooth *= 2;
      p = 100.0 / (smooth * total);
    }
    log_sum += p > 0 ? std::log(p) : -9999999999.0;
  }
  return bp * std::exp(log_sum / kOrder);
}

class Bleu final : public Metric {
 public:
  Status Update(const Predictions& b) override {
    SHRINK_RETURN_IF_ERROR(CheckKind("bleu", b, {data::PredictionKind::kText}));
    for (int64_t i = 0; i < b.size; ++i)
      stats_.push_back(SentenceStats(b.texts[i], {b.targets[i]}));
    return Status::Ok();
  }
  int64_t size() const override { return static_cast<int64_t>(stats_.size()); }
  double Compute(const std::vector<double>* weights) const override {
    BleuStats sum{};
    double weight = 0;
    for (size_t i = 0; i < stats_.size(); ++i) {
      const double w = WeightOf(weights, i);
      weight += w;
      for (size_t k = 0; k < sum.size(); ++k) sum[k] += w * stats_[i][k];
    }
    if (weight <= 0) return std::numeric_limits<double>::quiet_NaN();
    return CorpusBleu(sum);
  }

 private:
  std::vector<BleuStats> stats_;
};

class RougeL final : public RatioMetric {
 public:
  RougeL()
      : RatioMetric("rouge_l", {data::PredictionKind::kText},
                    [](double num, double den) { return num / den; }) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      const auto hyp = RougeWords(b.texts[i]), ref = RougeWords(b.targets[i]);
      const double lcs = static_cast<double>(LcsLength(hyp, ref));
      double f = 0;
      if (lcs > 0) {
        const double p = lcs / static_cast<double>(hyp.size());
        const double r = lcs / static_cast<double>(ref.size());
        f = 2 * p * r / (p + r);
      }
      num->push_back(f);
      den->push_back(1.0);
    }
  }
};

}  // namespace

std::unique_ptr<Metric> MakeOverlapMetric(const data::MetricSpec& spec) {
  if (spec.name == "bleu") return std::make_unique<Bleu>();
  if (spec.name == "rouge_l") return std::make_unique<RougeL>();
  return nullptr;
}

}  // namespace detail

double CorpusBleu(const std::vector<std::string>& hyps,
                  const std::vector<std::vector<std::string>>& ref_sets) {
  detail::BleuStats sum{};
  for (size_t i = 0; i < hyps.size(); ++i) {
    std::vector<std::string> refs;
    for (const auto& set : ref_sets)
      if (i < set.size()) refs.push_back(set[i]);
    const detail::BleuStats s = detail::SentenceStats(hyps[i], refs);
    for (size_t k = 0; k < sum.size(); ++k) sum[k] += s[k];
  }
  return detail::CorpusBleu(sum);
}

}  // namespace shrink::eval
