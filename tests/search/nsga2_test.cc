#include "search/nsga2.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace shrink::search {
namespace {

// A toy mixed-precision problem: 8 layers, choice 0 = float, 1 = int8, 2 = int4. Size falls with
// lower precision; error rises, layer 0 being very sensitive.
Objectives Evaluate(const Genome& g) {
  double size = 0, error = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    size += g[i] == 0 ? 4 : g[i] == 1 ? 1 : 0.5;
    const double sens = i == 0 ? 10 : 1;
    error += sens * (g[i] == 0 ? 0 : g[i] == 1 ? 0.1 : 1.0);
  }
  return {size, error};
}

TEST(Nsga2, NeverRepeatsAndSeedsFirst) {
  Nsga2 s(std::vector<int>(8, 3), {.population = 8, .seed = 1, .mutation_weights = {}});
  s.AddSeed(Genome(8, 1));
  std::set<Genome> seen;
  for (int t = 0; t < 200; ++t) {
    std::optional<Genome> g = s.Ask();
    ASSERT_TRUE(g.has_value());
    if (t == 0) {
      EXPECT_EQ(*g, Genome(8, 1));
    }
    EXPECT_TRUE(seen.insert(*g).second) << "repeated genome at trial " << t;
    s.Tell(*g, Evaluate(*g));
  }
}

TEST(Nsga2, ExhaustsASmallSpace) {
  Nsga2 s({2, 3}, {.population = 4, .seed = 0, .mutation_weights = {}});
  int n = 0;
  while (std::optional<Genome> g = s.Ask()) {
    s.Tell(*g, Evaluate(*g));
    ++n;
  }
  EXPECT_EQ(n, 6);
}

TEST(Nsga2, DeterministicForASeed) {
  auto run = [](uint64_t seed) {
    Nsga2 s(std::vector<int>(8, 3), {.population = 8, .seed = seed, .mutation_weights = {}});
    std::vector<Genome> out;
    for (int t = 0; t < 40; ++t) {
      Genome g = *s.Ask();
      s.Tell(g, Evaluate(g));
      out.push_back(g);
    }
    return out;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

// 2-D hypervolume (both objectives minimised) of `pts` against the reference point `ref`.
double Hypervolume(std::vector<Objectives> pts, const Objectives& ref) {
  std::sort(pts.begin(), pts.end());
  double hv = 0, best_y = ref[1];
  for (const Objectives& p : pts) {
    if (p[1] >= best_y || p[0] >= ref[0]) continue;
    hv += (ref[0] - p[0]) * (best_y - p[1]);
    best_y = p[1];
  }
  return hv;
}

TEST(Nsga2, BeatsRandomSearchAtTheSameBudget) {
  // 3^8 = 6561 genomes; 120 trials each. The search must cover more of the objective space
  // (hypervolume against the worst corner) than uniform random sampling, summed over 5 seeds.
  const Objectives ref = {33, 20};
  double hv_search = 0, hv_random = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Nsga2 s(std::vector<int>(8, 3), {.population = 12, .seed = seed, .mutation_weights = {}});
    std::vector<Objectives> found;
    for (int t = 0; t < 120; ++t) {
      Genome g = *s.Ask();
      found.push_back(Evaluate(g));
      s.Tell(g, found.back());
    }
    hv_search += Hypervolume(found, ref);
    std::mt19937_64 rng(seed + 100);
    std::vector<Objectives> sampled;
    for (int t = 0; t < 120; ++t) {
      Genome g(8);
      for (int& v : g) v = static_cast<int>(rng() % 3);
      sampled.push_back(Evaluate(g));
    }
    hv_random += Hypervolume(sampled, ref);
  }
  EXPECT_GT(hv_search, hv_random);
}

TEST(Nsga2, ReplayRestoresState) {
  Nsga2 a(std::vector<int>(5, 3), {.population = 6, .seed = 2, .mutation_weights = {}});
  std::vector<Genome> done;
  for (int t = 0; t < 20; ++t) {
    Genome g = *a.Ask();
    a.Tell(g, Evaluate(g));
    done.push_back(g);
  }
  Nsga2 b(std::vector<int>(5, 3), {.population = 6, .seed = 2, .mutation_weights = {}});
  for (const Genome& g : done) b.Tell(g, Evaluate(g));
  for (int t = 0; t < 30; ++t) {
    Genome g = *b.Ask();
    EXPECT_EQ(std::count(done.begin(), done.end(), g), 0);
    b.Tell(g, Evaluate(g));
    done.push_back(g);
  }
}

}  // namespace
}  // namespace shrink::search
