#!/usr/bin/env node
// ort_run.js: runs an ONNX model through ONNX Runtime (onnxruntime-node) on .npy inputs.
//
// Usage:
//   node ort_run.js --model M.onnx --input name=file.npy [--input ...] --out DIR
//                   [--threads N] [--opt-level disabled|basic|extended|layout|all]
//                   [--optimized-model PATH] [--bench RUNS [--warmup W]]
//   node ort_run.js --serve --model M.onnx [--threads N] [--opt-level ...]
//
// Contract:
// - Every model input must be given exactly once; unknown input names are an error.
//   --input splits at the LAST '=' (ONNX names may contain '='; the file name must not).
// - Each output is written to DIR/<sanitized name>.npy (characters outside [A-Za-z0-9._-] become
//   '_'; collisions get a numeric suffix). .npy v1-3, little-endian, C order; dtypes f2 f4 f8 i1 u1
//   i2 u2 i4 u4 i8 u8 b1 (int64/uint64 via BigInt64Array/BigUint64Array, float16 as raw bits).
// - On success prints ONE JSON line on stdout:
//     {"outputs":[{"name","file","dtype","shape"}], "latency_ms":{...}}   (latency_ms with --bench)
//   dtype uses ORT's names (float32, int64, bool, float16, ...), shape is a list of numbers.
// - --bench RUNS times RUNS runs after W warm-up runs (default 1); outputs come from the last run.
//   latency_ms holds the summary statistics, `samples` (every timed run, in order) and
//   `peak_memory_bytes`: VmHWM after the runs minus VmRSS before the model load (the high-water
//   mark is reset through /proc/self/clear_refs first; -1 when that is refused or unreadable).
// - ONNX Runtime's telemetry is switched off (ORT_DISABLE_TELEMETRY=1) unless the caller set it.
// - Any failure (bad arguments, model load, missing input, bad .npy, unsupported output dtype)
//   prints one message on stderr and exits with code 1.
// - --serve loads the model once, prints {"ready":true,"inputs":[...],"outputs":[...]} and then
//   answers one JSON request line on stdin, {"inputs":[[name, file], ...], "out": DIR}, with one
//   JSON line on stdout: {"outputs":[...]} as above, or {"error": message} (the session stays
//   up). It exits 0 at the end of stdin.
'use strict';

const fs = require('fs');
const path = require('path');

class UsageError extends Error {}

// ------------------------------------------------------------------------------------------------
// .npy

const DESCR_TO_TYPE = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', u1: 'uint8', i2: 'int16',
  u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', b1: 'bool',
};
const TYPE_TO_DESCR = Object.fromEntries(Object.entries(DESCR_TO_TYPE).map(([k, v]) => [v, k]));
const TYPE_TO_ARRAY = {
  float16: Uint16Array, float32: Float32Array, float64: Float64Array, int8: Int8Array,
  uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('ort_run.js assumes a little-endian host');
}

// Parses the Python dict literal of a .npy header.
function parseHeaderDict(text, file) {
  const fail = (why) => {
    throw new Error(`${file}: malformed .npy header (${why}): ${text.slice(0, 200)}`);
  };
  const dict = {};
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const str = () => {
    const q = text[i];
    if (q !== "'" && q !== '"') fail('expected a string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  ws();
  if (text[i++] !== '{') fail("expected '{'");
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const key = str();
    ws();
    if (text[i++] !== ':') fail("expected ':'");
    ws();
    let value;
    if (text[i] === "'" || text[i] === '"') {
      value = str();
    } else if (text.startsWith('True', i)) {
      value = true; i += 4;
    } else if (text.startsWith('False', i)) {
      value = false; i += 5;
    } else if (text[i] === '(') {
      i++;
      value = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; break; }
        const m = /^[0-9]+L?/.exec(text.slice(i));
        if (!m) fail('expected a non-negative integer in the shape');
        const n = Number(m[0].replace('L', ''));
        if (!Number.isSafeInteger(n)) fail('dimension too large');
        value.push(n);
        i += m[0].length;
        ws();
        if (text[i] === ',') {
          i++;
        } else {
          ws();
          if (text[i++] !== ')') fail("expected ')'");
          break;
        }
      }
    } else if (text[i] === '[') {
      throw new Error(`${file}: structured .npy dtypes are not supported`);
    } else {
      fail(`unsupported value for '${key}'`);
    }
    dict[key] = value;
    ws();
    if (text[i] === ',') { i++; continue; }
    ws();
    if (text[i++] !== '}') fail("expected '}'");
    break;
  }
  return dict;
}

function readNpy(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read '${file}': ${e.message}`);
  }
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${file}: not a .npy file (bad magic)`);
  }
  const major = buf[6];
  let headerLen, start;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8); start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8); start = 12;
  } else {
    throw new Error(`${file}: unsupported .npy version ${major}.${buf[7]}`);
  }
  if (start + headerLen > buf.length) throw new Error(`${file}: truncated .npy header`);
  const dict = parseHeaderDict(buf.toString(major === 3 ? 'utf8' : 'latin1', start,
                                            start + headerLen), file);
  if (typeof dict.descr !== 'string' || typeof dict.fortran_order !== 'boolean' ||
      !Array.isArray(dict.shape)) {
    throw new Error(`${file}: .npy header lacks descr / fortran_order / shape`);
  }
  let descr = dict.descr;
  let order = '=';
  if ('<>|='.includes(descr[0])) { order = descr[0]; descr = descr.slice(1); }
  if (descr === '?') descr = 'b1';
  const type = DESCR_TO_TYPE[descr];
  if (!type) throw new Error(`${file}: unsupported .npy dtype '${dict.descr}'`);
  if (order === '>' && descr[1] !== '1') {
    throw new Error(`${file}: big-endian .npy dtype '${dict.descr}' is not supported`);
  }
  const shape = dict.shape;
  if (dict.fortran_order && shape.length > 1) {
    throw new Error(`${file}: fortran_order=True is not supported`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const Arr = TYPE_TO_ARRAY[type];
  const dataStart = start + headerLen;
  const nbytes = count * Arr.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(nbytes) || dataStart + nbytes > buf.length) {
    throw new Error(`${file}: .npy data truncated (shape [${shape}] of ${type} needs ${nbytes} ` +
                    `bytes, ${buf.length - dataStart} present)`);
  }
  // Copy into a fresh, aligned ArrayBuffer.
  const bytes = new Uint8Array(nbytes);
  bytes.set(buf.subarray(dataStart, dataStart + nbytes));
  if (type === 'bool') for (let k = 0; k < nbytes; k++) bytes[k] = bytes[k] ? 1 : 0;
  return { type, shape, data: new Arr(bytes.buffer, 0, count) };
}

function serializeNpy(type, shape, data) {
  const descr = TYPE_TO_DESCR[type];
  if (!descr) throw new Error(`output dtype '${type}' cannot be written as .npy`);
  const order = descr[1] === '1' ? '|' : '<';
  const tuple = shape.length === 0 ? '()' :
      shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${order}${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  let lenBytes = 2;
  const padTo = (lb) => {
    const total = 6 + 2 + lb + header.length + 1;
    return header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  };
  let padded = padTo(2);
  if (padded.length > 65535) { lenBytes = 4; padded = padTo(4); }
  const pre = Buffer.alloc(8 + lenBytes);
  pre[0] = 0x93;
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = lenBytes === 2 ? 1 : 2;
  pre[7] = 0;
  if (lenBytes === 2) pre.writeUInt16LE(padded.length, 8); else pre.writeUInt32LE(padded.length, 8);
  let body;
  if (type === 'bool' && !(data instanceof Uint8Array)) {
    body = Buffer.from(Array.from(data, (v) => (v ? 1 : 0)));
  } else {
    body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return Buffer.concat([pre, Buffer.from(padded, 'latin1'), body]);
}

// ------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = { inputs: [], threads: 1, optLevel: 'all', bench: 0, warmup: 1, serve: false };
  const need = (i, flag) => {
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[i + 1];
  };
  const intArg = (v, flag, min) => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min) {
      throw new UsageError(`${flag} needs an integer >= ${min}, got '${v}'`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (flag === '--serve') {
      opts.serve = true;
      i -= 1;  // a flag without a value
      continue;
    }
    const v = need(i, flag);
    switch (flag) {
      case '--model': opts.model = v; break;
      case '--out': opts.out = v; break;
      case '--input': {
        const eq = v.lastIndexOf('=');  // input names may contain '='; our file names do not
        if (eq <= 0) throw new UsageError(`--input wants name=file.npy, got '${v}'`);
        opts.inputs.push([v.slice(0, eq), v.slice(eq + 1)]);
        break;
      }
      case '--threads': opts.threads = intArg(v, flag, 1); break;
      case '--opt-level':
        if (!['disabled', 'basic', 'extended', 'layout', 'all'].includes(v)) {
          throw new UsageError(
              `--opt-level must be disabled|basic|extended|layout|all, got '${v}'`);
        }
        opts.optLevel = v;
        break;
      case '--optimized-model': opts.optimizedModel = v; break;
      case '--bench': opts.bench = intArg(v, flag, 1); break;
      case '--warmup': opts.warmup = intArg(v, flag, 0); break;
      default: throw new UsageError(`unknown argument '${flag}'`);
    }
  }
  if (!opts.model) throw new UsageError('--model is required');
  if (!opts.out && !opts.serve) throw new UsageError('--out is required');
  if (opts.serve && (opts.out || opts.inputs.length || opts.bench)) {
    throw new UsageError('--serve takes its inputs and output folder from stdin requests');
  }
  return opts;
}

function sanitize(name, used) {
  let base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (base === '') base = 'output';
  let candidate = base;
  for (let k = 1; used.has(candidate); k++) candidate = `${base}_${k}`;
  used.add(candidate);
  return candidate;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { runs: s.length, min: s[0], median, mean, p90: at(0.9), max: s[s.length - 1] };
}

function makeFeeds(ort, session, inputs) {
  const feeds = {};
  for (const [name, file] of inputs) {
    if (!session.inputNames.includes(name)) {
      throw new Error(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    if (name in feeds) throw new Error(`input '${name}' given twice`);
    const npy = readNpy(file);
    feeds[name] = new ort.Tensor(npy.type, npy.data, npy.shape);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`missing model input(s): ${missing.join(', ')}`);
  return feeds;
}

function writeOutputs(session, results, out) {
  fs.mkdirSync(out, { recursive: true });
  const used = new Set();
  const outputs = [];
  for (const name of session.outputNames) {
    const t = results[name];
    const file = path.join(out, sanitize(name, used) + '.npy');
    fs.writeFileSync(file, serializeNpy(t.type, t.dims, t.data));
    outputs.push({ name, file, dtype: t.type, shape: Array.from(t.dims, Number) });
  }
  return outputs;
}

const writeLine = (obj) =>
  new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve));

// --serve: one request line in, one answer line out, until stdin ends.
async function serve(ort, session) {
  await writeLine({ ready: true, inputs: session.inputNames, outputs: session.outputNames });
  const lines = require('readline').createInterface({ input: process.stdin, terminal: false });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    let answer;
    try {
      const req = JSON.parse(text);
      if (!Array.isArray(req.inputs) || typeof req.out !== 'string') {
        throw new Error('a request needs "inputs" [[name, file], ...] and "out"');
      }
      const results = await session.run(makeFeeds(ort, session, req.inputs));
      answer = { outputs: writeOutputs(session, results, req.out) };
    } catch (e) {
      answer = { error: e.message };
    }
    await writeLine(answer);
  }
  if (typeof session.release === 'function') await session.release();
}

// ------------------------------------------------------------------------------------------------
// Resident memory (Linux /proc/self)

function statusBytes(key) {
  try {
    const text = fs.readFileSync('/proc/self/status', 'utf8');
    const m = text.match(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : -1;
  } catch (e) {
    return -1;
  }
}

// Starts a peak-memory measurement; the returned function gives the bytes added since.
function peakMemoryScope() {
  let reset = true;
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch (e) {
    reset = false;
  }
  const base = statusBytes('VmRSS');
  return () => {
    const peak = statusBytes('VmHWM');
    return reset && base >= 0 && peak >= 0 ? Math.max(0, peak - base) : -1;
  };
}

// ------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  // ORT 1.30's Linux build carries a telemetry client that writes .ses / mat-debug-<pid>.log
  // into $TMPDIR and tries to upload events; a validator must not do either.
  if (process.env.ORT_DISABLE_TELEMETRY === undefined) process.env.ORT_DISABLE_TELEMETRY = '1';
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    throw new Error(`onnxruntime-node is not installed next to ${__filename} ` +
                    `(run scripts/setup.sh): ${e.message}`);
  }
  const sessionOptions = {
    graphOptimizationLevel: opts.optLevel,
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  };
  if (opts.optimizedModel) sessionOptions.optimizedModelFilePath = opts.optimizedModel;
  const peakMemory = peakMemoryScope();
  let session;
  try {
    session = await ort.InferenceSession.create(opts.model, sessionOptions);
  } catch (e) {
    throw new Error(`cannot load model '${opts.model}': ${e.message}`);
  }

  if (opts.serve) return serve(ort, session);
  const feeds = makeFeeds(ort, session, opts.inputs);

  const runOnce = async () => {
    try {
      return await session.run(feeds);
    } catch (e) {
      throw new Error(`ONNX Runtime run failed: ${e.message}`);
    }
  };
  let results;
  let latency;
  if (opts.bench > 0) {
    for (let k = 0; k < opts.warmup; k++) results = await runOnce();
    const samples = [];
    for (let k = 0; k < opts.bench; k++) {
      const t0 = process.hrtime.bigint();
      results = await runOnce();
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    latency = { warmup: opts.warmup, ...stats(samples), samples, peak_memory_bytes: peakMemory() };
  } else {
    results = await runOnce();
  }

  const outputs = writeOutputs(session, results, opts.out);
  const line = { outputs };
  if (latency) line.latency_ms = latency;
  // Wait until the line is flushed: process.exit() would cut a piped stdout at 64 KiB.
  await new Promise((resolve) => process.stdout.write(JSON.stringify(line) + '\n', resolve));
  if (typeof session.release === 'function') await session.release();
}

main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`ort_run: ${e instanceof UsageError ? 'usage: ' : ''}${e.message}\n`);
      process.exit(1);
    });
