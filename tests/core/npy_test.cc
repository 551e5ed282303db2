#include "core/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "core/temp_dir.h"
#include "core/zip.h"

namespace shrink {
namespace {

// A .npy file built by hand from the format spec (version 1.0 unless `major` says otherwise).
std::string HandNpy(const std::string& dict, const std::string& data, int major = 1,
                    bool pad = true) {
  std::string header = dict;
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (pad) {
    size_t total = 6 + 2 + len_bytes + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
  }
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < len_bytes; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

template <typename T>
std::string Bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

const DataType kAllDtypes[] = {DataType::kFloat16, DataType::kFloat32, DataType::kFloat64,
                               DataType::kInt8,    DataType::kUInt8,   DataType::kInt16,
                               DataType::kUInt16,  DataType::kInt32,   DataType::kUInt32,
                               DataType::kInt64,   DataType::kUInt64,  DataType::kBool};

Tensor MakeTensor(DataType dtype, const Shape& shape) {
  Tensor t(dtype, shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = static_cast<double>((i * 7) % 23);
    if (dtype == DataType::kBool) {
      v = (i % 3 == 0) ? 1 : 0;
    } else if (IsSigned(dtype) || IsFloat(dtype)) {
      v -= 11;
    }
    if (IsFloat(dtype)) v *= 0.5;
    t.SetFromDouble(i, v);
  }
  return t;
}

TEST(NpyTest, RoundTripEveryDtype) {
  for (DataType dtype : kAllDtypes) {
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{0, 3}}) {
      Tensor t = MakeTensor(dtype, shape);
      auto bytes = SerializeNpy(t);
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      EXPECT_EQ(bytes->size() % 64, t.nbytes() % 64) << "data must start at a 64-byte boundary";
      auto back = ParseNpy(*bytes);
      ASSERT_TRUE(back.ok()) << DataTypeName(dtype) << ": " << back.status().ToString();
      EXPECT_TRUE(back->BitwiseEqual(t)) << DataTypeName(dtype) << " " << ShapeToString(shape);
    }
  }
}

TEST(NpyTest, FileRoundTrip) {
  auto dir = TempDir::Create("npy-test-");
  ASSERT_TRUE(dir.ok());
  Tensor t = Tensor::FromVector<int64_t>({2, 2}, {-5, 0, int64_t{1} << 62, 3});
  ASSERT_TRUE(WriteNpy(dir->File("a.npy"), t).ok());
  auto back = ReadNpy(dir->File("a.npy"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->BitwiseEqual(t));
  auto missing = ReadNpy(dir->File("missing.npy"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(NpyTest, SerializedHeaderFollowsNumpyLayout) {
  Tensor t = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok());
  const std::string& b = *bytes;
  ASSERT_EQ(b.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t hlen = static_cast<uint8_t>(b[8]) | (static_cast<uint8_t>(b[9]) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(b.substr(10, dict.size()), dict);
  EXPECT_EQ(b[10 + hlen - 1], '\n');
  EXPECT_EQ(b.size(), 10 + hlen + 24);
  float third;
  std::memcpy(&third, b.data() + 10 + hlen + 8, 4);
  EXPECT_EQ(third, 3.0f);

  auto one_d = SerializeNpy(Tensor::FromVector<uint8_t>({4}, {1, 2, 3, 4}));
  ASSERT_TRUE(one_d.ok());
  EXPECT_NE(one_d->find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(one_d->find("'shape': (4,)"), std::string::npos);
  auto scalar = SerializeNpy(Tensor::Scalar<bool>(true));
  ASSERT_TRUE(scalar.ok());
  EXPECT_NE(scalar->find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(scalar->find("'shape': ()"), std::string::npos);
}

TEST(NpyTest, ParsesHandWrittenHeaders) {
  {
    auto t = ParseNpy(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                              Bytes<float>({1.5f, -2.f, 3.f, 4.25f})));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dtype(), DataType::kFloat32);
    EXPECT_EQ(t->shape(), (Shape{2, 2}));
    EXPECT_EQ(t->data<float>()[0], 1.5f);
    EXPECT_EQ(t->data<float>()[3], 4.25f);
  }
  {  // version 2.0, keys in another order, double quotes, no trailing comma, no padding
    auto t = ParseNpy(HandNpy("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i8\"}",
                              Bytes<int64_t>({-1, 7, int64_t{1} << 40}), 2, false));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dtype(), DataType::kInt64);
    EXPECT_EQ(t->data<int64_t>()[0], -1);
    EXPECT_EQ(t->data<int64_t>()[2], int64_t{1} << 40);
  }
  {  // version 3.0 (utf-8 header), Python 2 long suffix
    auto t = ParseNpy(HandNpy("{'descr': '<u2', 'fortran_order': False, 'shape': (2L,), }",
                              Bytes<uint16_t>({65535, 2}), 3));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->data<uint16_t>()[0], 65535);
  }
  {  // float16: 0x3c00 = 1.0, 0xc000 = -2.0
    auto t = ParseNpy(HandNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                              Bytes<uint16_t>({0x3c00, 0xc000})));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dtype(), DataType::kFloat16);
    EXPECT_EQ(t->GetAsDouble(0), 1.0);
    EXPECT_EQ(t->GetAsDouble(1), -2.0);
  }
  {  // bool, non-canonical true byte
    auto t = ParseNpy(HandNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                              std::string("\x00\x01\x05", 3)));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dtype(), DataType::kBool);
    EXPECT_FALSE(t->data<bool>()[0]);
    EXPECT_TRUE(t->data<bool>()[1]);
    EXPECT_EQ(static_cast<const uint8_t*>(t->raw())[2], 1);
  }
  {  // one-byte types ignore byte order; fortran order is fine for 1-d; '=' is native
    auto t = ParseNpy(HandNpy("{'descr': '>i1', 'fortran_order': True, 'shape': (2,), }",
                              std::string("\xff\x05", 2)));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->data<int8_t>()[0], -1);
    auto n = ParseNpy(
        HandNpy("{'descr': '=f8', 'fortran_order': False, 'shape': (), }", Bytes<double>({0.25})));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(n->rank(), 0);
    EXPECT_EQ(n->data<double>()[0], 0.25);
  }
}

StatusCode CodeOf(const std::string& bytes) { return ParseNpy(bytes).status().code(); }

TEST(NpyTest, RejectsBadInputWithClearStatus) {
  const std::string f4x2 = Bytes<float>({1, 2});
  EXPECT_EQ(CodeOf(""), StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf("PK\x03\x04 not npy"), StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(std::string("\x93NUMPY\x01\x00\x10", 9)), StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 17)), StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False}", f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(99999999999999999999,), }",
                           f4x2)),
            StatusCode::kCorrupt);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(4294967296, 4294967296), }",
                           f4x2)),
            StatusCode::kCorrupt);
  // Over the memory limit (the default is 16 GiB): refused before any allocation.
  auto big = ParseNpy(
      HandNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", f4x2));
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.status().message().find("memory limit"), std::string::npos);
  // Unsupported but valid numpy files.
  auto fortran =
      ParseNpy(HandNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", f4x2));
  EXPECT_EQ(fortran.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(fortran.status().message().find("fortran_order"), std::string::npos);
  auto big_endian =
      ParseNpy(HandNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f4x2));
  EXPECT_EQ(big_endian.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(big_endian.status().message().find("big-endian"), std::string::npos);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", f4x2)),
            StatusCode::kUnimplemented);
  EXPECT_EQ(
      CodeOf(HandNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4x2)),
      StatusCode::kUnimplemented);
  EXPECT_EQ(CodeOf(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4x2, 4)),
            StatusCode::kUnimplemented);
}

TEST(NpyTest, EveryTruncationAndRandomDamageIsAnErrorNotACrash) {
  Tensor t = MakeTensor(DataType::kInt32, {3, 5});
  auto bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok());
  for (size_t n = 0; n < bytes->size(); ++n)
    EXPECT_FALSE(ParseNpy(std::string_view(*bytes).substr(0, n)).ok()) << "prefix " << n;
  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string damaged = *bytes;
    const size_t header_end = 128;
    damaged[rng() % header_end] = static_cast<char>(rng());
    auto r = ParseNpy(damaged);  // any outcome but a crash; success must still be consistent
    if (r.ok()) {
      EXPECT_LE(r->nbytes(), damaged.size());
    }
  }
}

TEST(NpyTest, UnsupportedDtypesCannotBeWritten) {
  auto dir = TempDir::Create("npy-test-");
  ASSERT_TRUE(dir.ok());
  Tensor bf(DataType::kBFloat16, {2});
  EXPECT_EQ(SerializeNpy(bf).status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(WriteNpy(dir->File("bf.npy"), bf).code(), StatusCode::kUnimplemented);
  EXPECT_EQ(SerializeNpy(Tensor(DataType::kInt4, {4})).status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(SerializeNpy(Tensor()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(NpySupports(DataType::kString));
  EXPECT_TRUE(NpySupports(DataType::kUInt64));
}

// ----------------------------------------------------------------------------------------------
// .npz

TEST(NpzTest, RoundTripStoredAndCompressed) {
  auto dir = TempDir::Create("npz-test-");
  ASSERT_TRUE(dir.ok());
  NamedTensors entries;
  for (DataType dtype : kAllDtypes)
    entries.emplace_back(std::string("t_") + DataTypeName(dtype), MakeTensor(dtype, {3, 4}));
  entries.emplace_back("empty", Tensor(DataType::kFloat32, {0}));
  for (bool compress : {false, true}) {
    const std::string path = dir->File(compress ? "c.npz" : "s.npz");
    Status s = WriteNpz(path, entries, {compress});
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto back = ReadNpz(path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->size(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ((*back)[i].first, entries[i].first);
      EXPECT_TRUE((*back)[i].second.BitwiseEqual(entries[i].second)) << entries[i].first;
    }
    // The archive really is a zip of "<name>.npy" entries with the requested method.
    auto zip = ZipReader::Open(path);
    ASSERT_TRUE(zip.ok());
    EXPECT_EQ(zip->entries()[0].name, "t_float16.npy");
    EXPECT_EQ(zip->entries()[0].method, compress ? 8 : 0);
  }
}

// Archives written by Python's zipfile module (an independent implementation) around hand-built
// .npy payloads: x = float32 [1.5, -2, 3.25], idx = int64 [-1, 2**40].
const char kPythonStoredNpz[] =
    "504b0304140000000000243c7b5d1403deb48c0000008c00000005000000782e6e7079934e554d505901007600"
    "7b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027736861"
    "7065273a2028332c292c207d202020202020202020202020202020202020202020202020202020202020202020"
    "2020202020202020202020202020202020202020202020202020200a0000c03f000000c000005040504b030414"
    "0000000000243c7b5ded8dfd939000000090000000070000006964782e6e7079934e554d5059010076007b2764"
    "65736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c2027736861706527"
    "3a2028322c292c207d202020202020202020202020202020202020202020202020202020202020202020202020"
    "2020202020202020202020202020202020202020202020200affffffffffffffff0000000000010000504b0102"
    "1403140000000000243c7b5d1403deb48c0000008c000000050000000000000000000000800100000000782e6e"
    "7079504b01021403140000000000243c7b5ded8dfd9390000000900000000700000000000000000000008001af"
    "0000006964782e6e7079504b0506000000000200020068000000640100000000";
const char kPythonDeflatedNpz[] =
    "504b0304140000000800243c7b5d1403deb44f0000008c00000005000000782e6e70799bec17ea1b10c9c850c6"
    "50ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a12774bcc294e058a17672416a402"
    "f91ac63a9a3a0ab50a14002e068603f60c40828121c00100504b0304140000000800243c7b5ded8dfd934c0000"
    "0090000000070000006964782e6e70799bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9369a1aea3a09e"
    "965f54529498179f5f94920a12774bcc294e058a17672416a402f91a463a9a3a0ab50a1400aeff50c000028c0c"
    "0c00504b01021403140000000800243c7b5d1403deb44f0000008c000000050000000000000000000000800100"
    "000000782e6e7079504b01021403140000000800243c7b5ded8dfd934c00000090000000070000000000000000"
    "0000008001720000006964782e6e7079504b0506000000000200020068000000e30000000000";
// numpy writes entries with force_zip64=True: zip64 extra field in the local header.
// m = uint16 [[1, 2], [65535, 7]].
const char kPythonZip64Npz[] =
    "504b03042d0000000000000021009657d9dcffffffffffffffff050014006d2e6e707901001000880000000000"
    "00008800000000000000934e554d5059010076007b276465736372273a20273c7532272c2027666f727472616e"
    "5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d2020202020202020202020"
    "202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "20200a01000200ffff0700504b01022d032d0000000000000021009657d9dc8800000088000000050000000000"
    "0000000000008001000000006d2e6e7079504b0506000000000100010033000000bf0000000000";

TEST(NpzTest, ReadsArchivesFromPythonZipfile) {
  auto dir = TempDir::Create("npz-test-");
  ASSERT_TRUE(dir.ok());
  for (const char* hex : {kPythonStoredNpz, kPythonDeflatedNpz}) {
    const std::string path = dir->File("py.npz");
    WriteFile(path, FromHex(hex));
    auto r = ReadNpz(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].first, "x");
    EXPECT_EQ((*r)[1].first, "idx");
    EXPECT_TRUE((*r)[0].second.BitwiseEqual(Tensor::FromVector<float>({3}, {1.5f, -2.f, 3.25f})));
    EXPECT_TRUE(
        (*r)[1].second.BitwiseEqual(Tensor::FromVector<int64_t>({2}, {-1, int64_t{1} << 40})));
  }
  const std::string path = dir->File("z64.npz");
  WriteFile(path, FromHex(kPythonZip64Npz));
  auto r = ReadNpz(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].first, "m");
  EXPECT_TRUE((*r)[0].second.BitwiseEqual(Tensor::FromVector<uint16_t>({2, 2}, {1, 2, 65535, 7})));
}

TEST(NpzTest, DamagedArchivesGiveClearErrors) {
  auto dir = TempDir::Create("npz-test-");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(ReadNpz(dir->File("missing.npz")).status().code(), StatusCode::kNotFound);
  // Fresh file names: rewriting one file in place makes ext4 flush on every close.
  int counter = 0;
  auto write_new = [&](const std::string& bytes) {
    std::string path = dir->File("d" + std::to_string(counter++) + ".npz");
    WriteFile(path, bytes);
    return path;
  };
  for (const char* hex : {kPythonStoredNpz, kPythonDeflatedNpz}) {
    const std::string good = FromHex(hex);
    for (size_t n = 0; n < good.size(); ++n)
      EXPECT_FALSE(ReadNpz(write_new(good.substr(0, n))).ok()) << "prefix " << n;
    // Flip one byte in the payload of the first entry: the CRC (or inflate) must notice.
    std::string flipped = good;
    flipped[60] = static_cast<char>(flipped[60] ^ 0x40);
    auto r = ReadNpz(write_new(flipped));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
    // Random damage anywhere: never a crash.
    std::mt19937 rng(7);
    for (int trial = 0; trial < 300; ++trial) {
      std::string damaged = good;
      for (int k = 0; k < 3; ++k) damaged[rng() % damaged.size()] = static_cast<char>(rng());
      (void)ReadNpz(write_new(damaged)).ok();
    }
  }
}

TEST(NpzTest, RejectsBadNamesAndUnsupportedTensors) {
  auto dir = TempDir::Create("npz-test-");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->File("n.npz");
  Tensor t = Tensor::FromVector<float>({1}, {1});
  EXPECT_EQ(WriteNpz(path, {{"a/b", t}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteNpz(path, {{"", t}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteNpz(path, {{"a", t}, {"a", t}}).code(), StatusCode::kInvalidArgument);
  Status s = WriteNpz(path, {{"ok", t}, {"bf", Tensor(DataType::kBFloat16, {1})}});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("bf"), std::string::npos);
  std::ifstream leftover(path);
  EXPECT_FALSE(leftover.good()) << "a failed write must not leave an archive behind";
}

}  // namespace
}  // namespace shrink
