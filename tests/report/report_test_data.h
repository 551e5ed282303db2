// A small but complete ReportData for report tests.
#pragma once

#include <cmath>

#include "report/report_data.h"

namespace shrink::report {

inline ReportData SampleReport() {
  ReportData d;
  d.job = "fashion <cnn> ptq";
  d.model = "fashion_cnn";
  d.task = "fashion_mnist";
  d.runtime = "native";
  d.machine = "2 CPUs, AVX-512 VNNI";
  d.created_at = "2026-11-27T10:00:00Z";
  d.metric = "top1";
  d.baseline = {"baseline", "float32", 0.912, 0,    2.0, 2.4,   500,
                1.6,        1.0,       1.0,   true, {},  false, false};
  d.candidates = {
      {"trial-0",
       "int8 minmax per-tensor",
       0.900,
       1.3,
       0.8,
       1.0,
       1250,
       0.41,
       3.9,
       2.5,
       false,
       {"max_metric_drop_pct: 1.3 > 1 (by 0.3, 30%)"},
       false,
       false},
      {"trial-1",
       "int8 entropy per-channel",
       0.910,
       0.22,
       0.7,
       0.9,
       1430,
       0.42,
       3.8,
       2.8,
       true,
       {},
       true,
       true},
      {"trial-2",
       "int4 weights",
       0.905,
       0.77,
       1.6,
       1.9,
       620,
       0.25,
       6.4,
       1.25,
       true,
       {},
       true,
       false},
  };
  d.layers = {
      {"conv1", "Conv", 31.5, NAN}, {"fc2", "Gemm", 18.2, 0.4}, {"conv2", "Conv", 27.0, 0.1}};
  d.cohorts = {{"by_label", "Shirt", 1000, 0.70, 0.66, true},
               {"by_label", "Trouser", 1000, 0.98, 0.98, false}};
  d.risk_flags = {"cohort by_label=Shirt lost 4.0 points (tolerance 2.0)"};
  d.recommendation = "Ship trial-1: int8 entropy per-channel meets every constraint.";
  d.per_runtime = {
      {"native", "trial-1", "best/native/model.onnx", "trial-1 meets every constraint"},
      {"onnxruntime", "", "", "trial-1 <slower> than the baseline there"}};
  d.cost = {200, 0.5, 2};
  d.lineage = {{"seeds", {{"search", 0}}}};
  return d;
}

}  // namespace shrink::report
