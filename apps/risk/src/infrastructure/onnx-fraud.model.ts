import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ResourceSpec } from '@emporia/platform';
import type { FraudModel, FraudModelCard } from '../application/ports';
import { FRAUD_FEATURES } from '../domain/fraud-features';

/** The card of a model: `fraud-model.onnx` → `fraud-model.card.json` beside it. */
export const cardPathOf = (modelPath: string): string =>
  `${modelPath.replace(/\.onnx$/, '')}.card.json`;

/** The card as tools/fraud-model/train.py writes it. */
interface CardFile {
  version: string;
  trained_at: string;
  onnx_sha256: string;
  features: string[];
  threshold_per_mille: number;
  report: Record<string, unknown>;
}

/** Why a model was refused, naming the variable that pointed at it. */
const refused = (path: string, why: string) =>
  new Error(`FRAUD_MODEL_PATH ${path}: ${why} (empty FRAUD_MODEL_PATH runs the rules alone)`);

/**
 * The fraud model in the process with onnxruntime (CPU, one thread: a few hundred trees over one
 * row take tens of microseconds, and more threads only contend with the event loop). Loaded
 * with its card, which must be this file's (the card keeps the file's SHA-256) and list the
 * features this code computes, in the same order — a model trained on other features would score
 * garbage, so it is refused.
 */
export class OnnxFraudModel implements FraudModel {
  private constructor(
    private readonly session: InferenceSession,
    readonly card: FraudModelCard,
    private readonly input: string,
  ) {}

  static async load(path: string): Promise<OnnxFraudModel> {
    const bytes = await readFile(path).catch((e: Error) => {
      throw refused(path, `cannot be read: ${e.message}`);
    });
    const cardPath = cardPathOf(path);
    let file: CardFile;
    try {
      file = JSON.parse(await readFile(cardPath, 'utf8')) as CardFile;
    } catch (e) {
      throw refused(path, `its card ${cardPath} cannot be read: ${(e as Error).message}`);
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (file.onnx_sha256 !== sha)
      throw refused(path, `the card ${cardPath} is another model's (its SHA-256 differs)`);
    const want: readonly string[] = FRAUD_FEATURES;
    if (
      !Array.isArray(file.features) ||
      file.features.length !== want.length ||
      file.features.some((f, i) => f !== want[i])
    )
      throw refused(
        path,
        `the model reads [${String(file.features)}], this risk computes [${want.join(', ')}]: retrain it (npm run fraud-model:train)`,
      );
    const session = await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    }).catch((e: Error) => {
      throw refused(path, `onnxruntime cannot load it: ${e.message}`);
    });
    if (!session.outputNames.includes('probabilities')) {
      await session.release();
      throw refused(path, `it has no 'probabilities' output (${session.outputNames.join(', ')})`);
    }
    const model = new OnnxFraudModel(
      session,
      {
        version: file.version,
        trainedAt: file.trained_at,
        features: file.features,
        thresholdPerMille: file.threshold_per_mille,
        report: file.report ?? {},
      },
      session.inputNames[0],
    );
    const check = await model.predict(want.map(() => 0));
    if (!(check >= 0 && check <= 1)) {
      await session.release();
      throw refused(path, `it answers ${check} for a row of zeros, not a probability`);
    }
    return model;
  }

  async predict(features: readonly number[]): Promise<number> {
    if (features.length !== this.card.features.length)
      throw new Error(
        `${features.length} features given, the model reads ${this.card.features.length}`,
      );
    const row = new Tensor('float32', Float32Array.from(features), [1, features.length]);
    const out = await this.session.run({ [this.input]: row }, ['probabilities']);
    // [1, 2]: the probabilities of class 0 (honest) and class 1 (fraud)
    return Number((out.probabilities.data as ArrayLike<number>)[1]);
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

/**
 * The model as a resource of the service: loaded before the servers start (a model that cannot be
 * loaded stops the start, named), released at shutdown. Not a readiness check: scoring never
 * waits on anything outside the process.
 */
export function fraudModelResource(path: string): ResourceSpec<FraudModel> {
  return {
    kind: 'client',
    async open({ logger }) {
      const model = await OnnxFraudModel.load(path);
      logger.info(
        { version: model.card.version, trainedAt: model.card.trainedAt, path },
        'fraud model loaded',
      );
      return { value: model, close: () => model.close() };
    },
  };
}
