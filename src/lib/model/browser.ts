/**
 * The classifier in the reader's browser.
 *
 * Nothing here imports TensorFlow.js at module level: `loadClassifier` pulls it in with a dynamic `import()`
 * the first time the reader uses the demo, so no chapter pays for it on first load. Backends are tried in the
 * order WebGL -> WASM -> CPU; a backend that is missing or fails its smoke test is skipped and the reason kept.
 * The model files are fetched once (normal HTTP caching applies) with byte-level progress, checked against
 * metadata.json (validated by metadata.ts), and a warm-up pass runs before the first real prediction.
 *
 * The pure helpers at the top (`analyseImage`, `decide`) are shared with `npm run classify` in Node.
 */
import { errorMessage } from '../errors';
import type { RasterImage } from '../render/types';
import { checkEkg, isBlank, type EkgCheckResult, type GateScorer } from './ekg-gate';
import { turnUpright, type UprightResult, type UprightScorer } from './upright';
import type { ModelMetadata, ModelTask } from './metadata';
import { preprocess } from './preprocess';
import type { BatchPredictor, SaliencyMap, SaliencyOptions } from './saliency';

export type BackendName = 'webgl' | 'wasm' | 'cpu';
export type Decision = 'MI' | 'Normal';

/** What the models read of one picture (`analyseImage`). */
export interface ImageAnalysis {
  /** The picture as read: turned upright when the sheet-upright model said so, else the picture given. */
  image: RasterImage;
  /** The sheet-upright model's decision; null when none was handed in, or for a blank picture. */
  upright: UprightResult | null;
  /** The classifier's plane of `image`. */
  plane: Uint8Array;
  /** The EKG check's verdict on `image`. */
  ekg: EkgCheckResult;
}

/**
 * The one path from a decoded picture to what the models read: the picture turned upright (`turnUpright`, when a
 * sheet-upright model is handed in), then the classifier's plane and the EKG check's verdict (`checkEkg`: the gate
 * network on its own plane, skipped for blank pictures) of the picture so turned. Shared by the demo,
 * `npm run classify`, `npm run eval:external` and `npm run eval:gate`.
 */
export async function analyseImage(
  image: RasterImage,
  meta: Pick<ModelMetadata, 'input'>,
  gate: GateScorer,
  upright: UprightScorer | null = null,
): Promise<ImageAnalysis> {
  const turned = upright && !isBlank(image) ? await turnUpright(image, upright) : null;
  const read = turned?.image ?? image;
  return {
    image: read,
    upright: turned?.upright ?? null,
    plane: preprocess(read, meta.input),
    ekg: await checkEkg(read, gate),
  };
}

/** What `analyse` reports when no EKG check was loaded (the test fixture model only). */
const NO_GATE: EkgCheckResult = {
  isEkg: true,
  score: Number.NaN,
  threshold: Number.NaN,
  message: 'No EKG check is installed with this test model, so the picture was not checked.',
};

/** The decision rule: MI when the probability reaches the model's threshold (from metadata.json). */
export function decide(probability: number, meta: Pick<ModelMetadata, 'threshold' | 'labels'>): Decision {
  return probability >= meta.threshold ? (meta.labels[1] as Decision) : (meta.labels[0] as Decision);
}

/**
 * Why a model cannot read one uploaded picture, or null when it can. Multi-plane models (dataset4: 12 lead
 * images per record) need 12 separate lead images, which one photo or scan is not; they are evaluated with
 * `npm run eval -- --style dataset4` instead.
 */
export function singleImageProblem(meta: Pick<ModelMetadata, 'name' | 'planes'>): string | null {
  if (meta.planes === 1) return null;
  const what =
    meta.planes === 12
      ? '12 lead images per record (Dataset 4 style: each lead drawn on its own)'
      : `${meta.planes} images per record`;
  return `The model "${meta.name}" takes ${what}, so it cannot read a single picture; a single-image model is needed.`;
}

export interface Prediction {
  probability: number;
  decision: Decision;
  /** Wall time of the model call, ms: the same as modelMs (preprocessing and the EKG check are timed by analyse's caller). */
  ms: number;
  modelMs: number;
}

export interface LoadProgress {
  phase: 'runtime' | 'metadata' | 'weights' | 'warmup';
  loaded?: number;
  total?: number;
}

export interface BrowserClassifier {
  meta: ModelMetadata;
  /** The EKG check's metadata (its input spec and threshold); null when loaded without one. */
  gateMeta: ModelMetadata | null;
  /** The sheet-upright model's metadata; null when loaded without one (pictures are then read as given). */
  uprightMeta: ModelMetadata | null;
  /**
   * Turns a decoded picture upright (the sheet-upright model, unless `turnUpright` is false: the reader turned it
   * by hand), preprocesses it for the classifier and runs the EKG check on it (`analyseImage`).
   */
  analyse(image: RasterImage, options?: { turnUpright?: boolean }): Promise<ImageAnalysis>;
  backend: BackendName;
  /** Why faster backends were skipped, e.g. "webgl: not available". */
  backendNotes: string[];
  modelBytes: number;
  loadMs: number;
  warmupMs: number;
  /** Model probability for an already preprocessed plane. */
  predictPlane(plane: Uint8Array): Promise<Prediction>;
  /** Occlusion saliency for a preprocessed plane (imageW/H = the decoded image's size). */
  saliency(plane: Uint8Array, imageW: number, imageH: number, options?: SaliencyOptions): Promise<SaliencyMap | null>;
  /** tf.memory() — for tests and the debug hook. */
  memory(): { numTensors: number; numBytes: number };
  dispose(): void;
}

export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

type Tf = typeof import('@tensorflow/tfjs');

async function trySetBackend(tf: Tf, name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error('not available');
  await tf.ready();
  // Smoke test: a tiny conv must run and give a finite number.
  const v = tf.tidy(
    () =>
      tf
        .conv2d(
          tf.ones([1, 4, 4, 1]) as import('@tensorflow/tfjs').Tensor4D,
          tf.ones([3, 3, 1, 1]) as import('@tensorflow/tfjs').Tensor4D,
          1,
          'valid',
        )
        .sum()
        .dataSync()[0],
  );
  if (v !== 36) throw new Error(`smoke test gave ${v}`);
}

async function setupWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const [plain, simd, threaded] = await Promise.all([
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
  ]);
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': plain.default,
    'tfjs-backend-wasm-simd.wasm': simd.default,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
  });
}

/**
 * The WebGL renderer's name when it is a software rasteriser (SwiftShader, llvmpipe...), else null. Software
 * WebGL runs the study-size model ~6x slower than WASM (measured: ~990 vs ~150 ms per image), so it is skipped.
 */
export function softwareWebglRenderer(): string | null {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name) ? name : null;
  } catch {
    return null;
  }
}

/** Picks the first backend that works, in `order`. */
export async function chooseBackend(
  tf: Tf,
  order: BackendName[] = ['webgl', 'wasm', 'cpu'],
): Promise<{ backend: BackendName; notes: string[] }> {
  const notes: string[] = [];
  for (const name of order) {
    try {
      if (name === 'webgl' && order.includes('wasm')) {
        const sw = typeof document !== 'undefined' ? softwareWebglRenderer() : null;
        if (sw) throw new Error(`software renderer (${sw}), slower than WASM`);
      }
      if (name === 'wasm') await setupWasm();
      await trySetBackend(tf, name);
      return { backend: name, notes };
    } catch (e) {
      notes.push(`${name}: ${errorMessage(e)}`);
    }
  }
  throw new ModelUnavailableError(`No TensorFlow.js backend works in this browser (${notes.join('; ')}).`);
}

/** fetch() with byte progress; uses the browser's HTTP cache as usual. */
async function fetchBytes(
  url: string,
  onBytes?: (loaded: number, total: number | undefined) => void,
): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new ModelUnavailableError(`Could not download ${url} (HTTP ${res.status}).`);
  const len = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onBytes?.(buf.length, buf.length);
    return buf;
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    onBytes?.(loaded, len);
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

async function fetchJson(url: string): Promise<unknown> {
  const bytes = await fetchBytes(url);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelUnavailableError(`${url} is not valid JSON (${errorMessage(e)}).`);
  }
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  backends?: BackendName[];
  /**
   * URL of the EKG check's model folder (public/models/default.json names it). null only for the test fixture
   * model, which ships without one: every picture is then let through with a note saying so.
   */
  gateDir: string | null;
  /**
   * URL of the sheet-upright model's folder (public/models/default.json "upright"), or null/absent for none:
   * pictures are then read as they are given.
   */
  uprightDir?: string | null;
}

type Layers = import('@tensorflow/tfjs').LayersModel;

/** Fetches and checks one exported model folder (metadata first: a wrong task or a multi-image model is refused before its weights download). */
async function fetchModel(
  tf: Tf,
  modelDir: string,
  task: ModelTask,
  progress: (loaded: number, total: number) => void,
): Promise<{ model: Layers; meta: ModelMetadata; bytes: number }> {
  const { validateMetadata } = await import('./metadata');
  const dir = modelDir.endsWith('/') ? modelDir : `${modelDir}/`;
  const meta = validateMetadata(await fetchJson(`${dir}metadata.json`), `${dir}metadata.json`, task);
  const problem = singleImageProblem(meta);
  if (problem) throw new ModelUnavailableError(problem);
  const mj = (await fetchJson(`${dir}model.json`)) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[];
  };
  if (!mj.modelTopology || !Array.isArray(mj.weightsManifest)) {
    throw new ModelUnavailableError(`${dir}model.json is not a TensorFlow.js layers model.`);
  }
  const specs = mj.weightsManifest.flatMap((g) => g.weights);
  const paths = mj.weightsManifest.flatMap((g) => g.paths);
  const total = meta.weights_bytes;
  const done: number[] = paths.map(() => 0);
  const parts = await Promise.all(
    paths.map((p, i) =>
      fetchBytes(`${dir}${p}`, (loaded) => {
        done[i] = loaded;
        progress(
          done.reduce((a, b) => a + b, 0),
          total,
        );
      }),
    ),
  );
  const bytes = parts.reduce((s, b) => s + b.length, 0);
  if (bytes !== total)
    throw new ModelUnavailableError(`The model weights in ${dir} are ${bytes} bytes, but metadata.json says ${total}.`);
  const weightData = new Uint8Array(bytes);
  let off = 0;
  for (const p of parts) {
    weightData.set(p, off);
    off += p.length;
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData: weightData.buffer }),
  );
  const shape = model.inputs[0]?.shape;
  const want = [null, meta.input.height, meta.input.width, meta.planes];
  if (JSON.stringify(shape) !== JSON.stringify(want)) {
    model.dispose();
    throw new ModelUnavailableError(
      `The model's input ${JSON.stringify(shape)} does not match its metadata ${JSON.stringify(want)}.`,
    );
  }
  return { model, meta, bytes };
}

/**
 * Loads the model in `modelDir` and the EKG check in `options.gateDir` (URLs ending in "/", each holding
 * model.json, its weights and metadata.json).
 */
export async function loadClassifier(modelDir: string, options: LoadOptions): Promise<BrowserClassifier> {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => {});
  progress({ phase: 'runtime' });
  const tf: Tf = await import('@tensorflow/tfjs');
  const [run, sal] = await Promise.all([import('./run'), import('./saliency')]);
  const { backend, notes } = await chooseBackend(tf, options.backends);

  progress({ phase: 'metadata' });
  // the downloads report as one: bytes so far of the weight files against their sum
  const got = { clf: 0, gate: 0, upright: 0 };
  const want = { clf: 0, gate: 0, upright: 0 };
  const report = () =>
    progress({
      phase: 'weights',
      loaded: got.clf + got.gate + got.upright,
      total: want.clf + want.gate + want.upright,
    });
  const uprightDir = options.uprightDir ?? null;
  const [clf, gate, upright] = await Promise.all([
    fetchModel(tf, modelDir, 'mi', (l, t) => ((got.clf = l), (want.clf = t), report())),
    options.gateDir === null
      ? Promise.resolve(null)
      : fetchModel(tf, options.gateDir, 'ekg-gate', (l, t) => ((got.gate = l), (want.gate = t), report())),
    uprightDir === null
      ? Promise.resolve(null)
      : fetchModel(tf, uprightDir, 'sheet-upright', (l, t) => ((got.upright = l), (want.upright = t), report())),
  ]).catch((e: unknown) => {
    throw e instanceof ModelUnavailableError ? e : new ModelUnavailableError(errorMessage(e));
  });
  const { model, meta, bytes } = clf;

  const predictProbs: BatchPredictor = (planes) => run.predictProbabilities(model, meta, planes, 8);
  progress({ phase: 'warmup' });
  const tw = performance.now();
  void predictProbs([new Uint8Array(meta.input.width * meta.input.height).fill(meta.input.pad)]); // synchronous here
  const warmupMs = performance.now() - tw;

  let uprightScorer: UprightScorer | null = null;
  if (upright !== null) {
    const { input } = upright.meta;
    uprightScorer = {
      meta: upright.meta,
      score: (planes) => run.predictProbabilities(upright.model, upright.meta, planes, 4),
    };
    void uprightScorer.score([new Uint8Array(input.width * input.height).fill(input.pad)]);
  }
  let analyse: BrowserClassifier['analyse'];
  if (gate === null) {
    analyse = async (image) => ({ image, upright: null, plane: preprocess(image, meta.input), ekg: { ...NO_GATE } });
  } else {
    const gateScore = (plane: Uint8Array): number => run.predictProbabilities(gate.model, gate.meta, [plane], 1)[0]!;
    gateScore(new Uint8Array(gate.meta.input.width * gate.meta.input.height).fill(gate.meta.input.pad));
    analyse = (image, opts) =>
      analyseImage(
        image,
        meta,
        { meta: gate.meta, score: gateScore },
        opts?.turnUpright === false ? null : uprightScorer,
      );
  }

  return {
    meta,
    gateMeta: gate?.meta ?? null,
    uprightMeta: upright?.meta ?? null,
    analyse,
    backend,
    backendNotes: notes,
    modelBytes: bytes + (gate?.bytes ?? 0) + (upright?.bytes ?? 0),
    loadMs: performance.now() - t0,
    warmupMs,
    async predictPlane(plane) {
      const t = performance.now();
      const p = (await predictProbs([plane]))[0]!;
      const modelMs = performance.now() - t;
      return { probability: p, decision: decide(p, meta), ms: modelMs, modelMs };
    },
    saliency(plane, imageW, imageH, opts) {
      // Plain-JS CPU is ~8x slower than WASM (study-size model: ~750 vs ~90 ms a pass): a coarser grid there.
      const grid = backend === 'cpu' ? { rows: 4, cols: 6, batchSize: 4 } : { batchSize: 12 };
      return sal.occlusionSaliency(plane, meta.input, imageW, imageH, predictProbs, { ...grid, ...opts });
    },
    memory() {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    },
    dispose() {
      model.dispose();
      gate?.model.dispose();
      upright?.model.dispose();
    },
  };
}
