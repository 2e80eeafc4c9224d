import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { readCsv } from '../lib/data/csv.js';
import { evalModel, type EvalSplit } from '../lib/model/eval-action.js';
import { EXAMPLE_MODELS, ensureExampleModel, type ExampleModelName } from '../lib/apps/examples.js';
import { importAnyModel, type ImportAnyResult } from '../lib/model/import-action.js';
import type { BuildModelResult } from '../lib/model/pipeline.js';
import { runModel } from '../lib/model/run-action.js';
import { trainModel } from '../lib/model/train-action.js';
import { dirVectors, serializeVectors, type TestVector } from '../lib/model/vectors.js';
import type { OutputKind } from '../lib/semantics/index.js';
import { log } from './log.js';
import { DESCRIPTIONS } from './descriptions.js';
import { micros, pct, printResult, runAction } from './output.js';

const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
    return n;
  };
const fraction = (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('must be a number in [0, 1)');
  return n;
};
const positive = (v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
};
const widths = (v: string): number[] => {
  const list = v.split(',').map(Number);
  if (!list.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('expected widths like 32 or 64,32');
  return list;
};
const range = (v: string): [number, number] => {
  const [a, b, ...rest] = v.split(':').map(Number);
  if (a === undefined || b === undefined || rest.length > 0 || !Number.isFinite(a) || !Number.isFinite(b) || a > b) {
    throw new InvalidArgumentError('expected LO:HI, e.g. 0:16');
  }
  return [a, b];
};

/** `digits.csv.gz` → `digits`: the default model name for a data file. */
const stem = (path: string): string =>
  basename(path)
    .replace(/\.(csv|onnx)(\.gz)?$/i, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-');

const outputKindOption = () => new Option('--output <kind>', 'model output: argmax (class index) or logits').choices(['argmax', 'logits']);

function buildLines(r: BuildModelResult): string[] {
  const m = r.manifest;
  const c = r.calibration.figures;
  return [
    `model ${m.name} written to ${r.dir}`,
    `  modelHash      ${m.modelHash}`,
    `  scaleBits      ${m.scaleBits} (max logit error ${c.maxLogitError.toFixed(4)}, argmax agreement ${pct(c.argmaxAgreement)} on calibration rows)`,
    `  input          ${m.inputLength} values in [${m.inputRange[0]}, ${m.inputRange[1]}]`,
    `  layers         ${m.layers.map((l) => `${l.inDim}→${l.outDim}${l.relu ? '+relu' : ''}`).join(', ')}`,
    `  output         ${m.outputKind} (${m.outputLength})`,
    ...m.layers.map((l, i) => `  bounds layer ${i} acc [${l.bounds.accMin}, ${l.bounds.accMax}] out [${l.bounds.outMin}, ${l.bounds.outMax}]`),
  ];
}

function buildJson(r: BuildModelResult) {
  const { layers: _layers, ...manifest } = r.manifest;
  return { dir: r.dir, ...manifest, bounds: r.manifest.layers.map((l) => l.bounds), calibration: r.calibration.figures, tried: r.calibration.tried };
}

function graphLines(r: ImportAnyResult & { kind: 'graph' }): string[] {
  const m = r.manifest;
  const c = r.calibration.figures;
  const ops = new Map<string, number>();
  for (const n of m.graph.nodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
  return [
    `graph model ${m.name} written to ${r.dir}`,
    `  modelHash      ${m.modelHash}`,
    `  scaleBits      ${m.scaleBits} (max logit error ${c.maxLogitError.toFixed(4)}, argmax agreement ${pct(c.argmaxAgreement)} on calibration rows)`,
    `  input          [${m.inputShape.join(', ')}]: ${m.inputLength} values in [${m.inputRange[0]}, ${m.inputRange[1]}]${m.inputScaleBits === undefined ? '' : ` (at scale 2^${m.inputScaleBits})`}`,
    `  nodes          ${m.graph.nodes.length}: ${[...ops].map(([op, k]) => `${op}${k > 1 ? ` ×${k}` : ''}`).join(', ')}`,
    `  output         ${m.outputKind} (${m.outputLength})`,
  ];
}

const generation = (v: string): { promptLength: number; maxTokens: number } => {
  const [a, b, ...rest] = v.split(':').map(Number);
  if (a === undefined || b === undefined || rest.length > 0 || !Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) {
    throw new InvalidArgumentError('expected P:N (prompt tokens : generated tokens), e.g. 48:16');
  }
  return { promptLength: a, maxTokens: b };
};

function transformerLines(r: ImportAnyResult & { kind: 'transformer' }): string[] {
  const m = r.manifest;
  const gen = m.generation;
  return [
    `${gen ? 'language' : 'transformer'} model ${m.name} written to ${r.dir}`,
    `  modelHash      ${m.modelHash}`,
    `  scaleBits      ${m.scaleBits} (onnxruntime and the reference agree bit for bit on ${r.checkedWindows} windows)`,
    gen
      ? `  request        [n, up to ${gen.promptLength} prompt ids, -1 padding]: ${m.inputLength} values in [${m.inputRange[0]}, ${m.inputRange[1]}]`
      : `  input          [${m.inputShape.join(', ')}] token ids in [${m.inputRange[0]}, ${m.inputRange[1]}]`,
    `  nodes          ${m.graph.nodes.length}`,
    gen ? `  answer         up to ${gen.maxTokens} greedy token ids, then -1` : `  output         ${m.outputKind} (${m.outputLength})`,
  ];
}

function importJson(r: ImportAnyResult) {
  if (r.kind === 'chain') return { kind: r.kind, ...buildJson(r) };
  if (r.kind === 'transformer') {
    const { graph, bounds: _bounds, ...manifest } = r.manifest;
    return {
      kind: r.kind,
      dir: r.dir,
      ...manifest,
      nodes: graph.nodes.map((n) => ({ op: n.op, name: n.name, shape: n.shape })),
      checkedWindows: r.checkedWindows,
    };
  }
  const { graph, ...manifest } = r.manifest;
  return {
    kind: r.kind,
    dir: r.dir,
    ...manifest,
    nodes: graph.nodes.map((n) => ({ op: n.op, name: n.name, shape: n.shape })),
    calibration: r.calibration.figures,
    tried: r.calibration.tried,
  };
}

export function modelCommand(): Command {
  const model = new Command('model').description(DESCRIPTIONS.model);

  model
    .command('train')
    .description('train an MLP classifier on a CSV, export float ONNX, quantize to the integer model')
    .requiredOption('--data <csv>', 'training data (.csv or .csv.gz), label in the last column')
    .option('--out <dir>', 'model folder (default .vai/models/<data name>)')
    .option('--name <name>', 'model name (default: the folder name)')
    .option('--label <column>', 'label column name (needs a header row)')
    .option('--hidden <widths>', 'hidden layer widths', widths, [32])
    .option('--epochs <n>', 'training epochs', int('--epochs'), 40)
    .option('--seed <n>', 'seed of the split, initialization and batch order', int('--seed'), 1)
    .option('--test-split <f>', 'share of rows held out for testing', fraction, 0.2)
    .option('--lr <rate>', 'Adam learning rate', positive, 0.005)
    .option('--batch-size <n>', 'mini-batch size', int('--batch-size'), 32)
    .addOption(outputKindOption().default('argmax'))
    .option('--scale-bits <n>', 'fix the scale instead of calibrating it', int('--scale-bits'))
    .option('--tolerance <x>', 'calibration: largest logit error accepted', positive)
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      await runAction(o, async () => {
        const out: string = o.out ?? `.vai/models/${stem(o.data)}`;
        log.info({ data: o.data, out }, 'training');
        const r = await trainModel({
          data: o.data,
          out,
          name: o.name,
          label: o.label,
          hidden: o.hidden,
          epochs: o.epochs,
          seed: o.seed,
          testSplit: o.testSplit,
          learningRate: o.lr,
          batchSize: o.batchSize,
          outputKind: o.output as OutputKind,
          scaleBits: o.scaleBits,
          tolerance: o.tolerance,
        });
        printResult(o, { ...buildJson(r), training: r.training }, () => [
          ...buildLines(r),
          `  training       ${r.training.trainRows} rows, ${r.training.options.epochs} epochs, hidden [${r.training.options.hidden.join(', ')}], seed ${r.training.options.seed}`,
          `  accuracy       train ${pct(r.training.trainAccuracy)}, test ${pct(r.training.testAccuracy)} (float, ${r.training.testRows} held-out rows)`,
          `next: vai model eval ${out} --data ${o.data} --split test`,
        ]);
      });
    });

  model
    .command('build')
    .description('build an example model (trained from data/) into .vai/models/<name>, reusing an up-to-date one')
    .addArgument(new Argument('<name>', 'example model').choices(Object.keys(EXAMPLE_MODELS)))
    .option('--force', 'retrain even if an up-to-date folder exists')
    .option('--json', 'machine-readable output')
    .action(async (name: ExampleModelName, o) => {
      await runAction(o, async () => {
        const { dir, manifest } = await ensureExampleModel(name, Boolean(o.force));
        const { layers: _layers, ...summary } = manifest;
        printResult(o, { dir, ...summary }, () => [
          `model ${name} ready in ${dir}`,
          `  modelHash      ${manifest.modelHash}`,
          `  scaleBits      ${manifest.scaleBits}`,
          `next: vai model eval ${dir} --data ${EXAMPLE_MODELS[name].data} --split test`,
        ]);
      });
    });

  model
    .command('import')
    .description(
      'import a float ONNX network (MLP, a CNN / DAG as an integer graph, or a transformer taking token ids) and quantize it, calibrating the scale on a CSV',
    )
    .argument('<onnx>', 'float .onnx file as torch.onnx.export writes it (see docs/MODELS.md for the ops)')
    .option('--calibrate <csv>', 'calibration rows (raw inputs, optionally with a label column); not for token-id models')
    .option('--generate <P:N>', 'token-id models: serve as a language model, prompts of up to P tokens, up to N generated', generation)
    .option('--tokenizer <json>', 'token-id models: the tokenizer file, kept in the manifest (text in and out)')
    .option('--out <dir>', 'model folder (default .vai/models/<onnx name>)')
    .option('--name <name>', 'model name (default: the folder name)')
    .option('--label <column>', 'label column name (needs a header row)')
    .addOption(outputKindOption())
    .option('--scale-bits <n>', 'fix the scale instead of calibrating it', int('--scale-bits'))
    .option(
      '--input-scale-bits <n>',
      'graphs: quantize inputs at 2^n instead of 2^scaleBits (0: integer inputs such as pixels as they are)',
      int('--input-scale-bits'),
    )
    .option('--tolerance <x>', 'calibration: largest logit error accepted', positive)
    .option('--input-range <lo:hi>', 'declared input range in real units (default: from the calibration data)', range)
    .option('--json', 'machine-readable output')
    .action(async (onnx: string, o) => {
      await runAction(o, async () => {
        const out: string = o.out ?? `.vai/models/${stem(onnx)}`;
        const r = await importAnyModel({
          onnx,
          calibrate: o.calibrate,
          out,
          name: o.name,
          label: o.label,
          outputKind: o.output as OutputKind | undefined,
          scaleBits: o.scaleBits,
          inputScaleBits: o.inputScaleBits,
          tolerance: o.tolerance,
          inputRange: o.inputRange,
          generation: o.generate,
          tokenizer: o.tokenizer,
        });
        const next =
          r.kind === 'transformer'
            ? r.manifest.generation
              ? `next: vai model run ${out} --prompt "…"`
              : `next: vai model eval ${out} --data <token-id rows.csv>`
            : `next: vai model eval ${out} --data ${o.calibrate}`;
        printResult(o, importJson(r), () => [...(r.kind === 'chain' ? buildLines(r) : r.kind === 'graph' ? graphLines(r) : transformerLines(r)), next]);
      });
    });

  model
    .command('run')
    .description('run one input on onnxruntime (integer graph) and the reference executor; fail if they differ')
    .argument('[dir]', 'model folder', '.vai/models/digits')
    .option('--input <json>', 'JSON array of raw feature values (quantized here), or integers with --int')
    .option('--int', 'the input is already quantized (integers at scale 2^S)')
    .option('--prompt <text>', 'language models: the prompt as text')
    .option('--tokens <n>', 'language models: tokens to generate (default: the most the model generates)', int('--tokens'))
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o) => {
      await runAction(o, async () => {
        const r = await runModel({ dir, input: o.input, integers: Boolean(o.int), prompt: o.prompt, tokens: o.tokens });
        printResult(o, r, () => [
          ...(r.text === undefined ? [] : [`text        ${JSON.stringify(r.text)}`]),
          `output      [${r.output.join(', ')}]${r.label === undefined ? '' : ` (${r.label})`}`,
          `engines     onnxruntime and reference agree`,
          `modelHash   ${r.modelHash}`,
          `inputHash   ${r.inputHash}`,
          `outputHash  ${r.outputHash}`,
        ]);
      });
    });

  model
    .command('eval')
    .description('accuracy (float and integer), engine agreement, logit error and timing on a labelled CSV')
    .argument('[dir]', 'model folder', '.vai/models/digits')
    .requiredOption('--data <file>', 'labelled rows (CSV); for a language model, a text file')
    .option('--label <column>', 'label column name (needs a header row)')
    .addOption(new Option('--split <part>', 'for trained models: the held-out rows, the training rows or all').choices(['all', 'test', 'train']).default('all'))
    .option('--timed-rows <n>', 'rows timed one at a time per engine', int('--timed-rows'), 200)
    .option('--windows <n>', 'language models: context windows of the text scored by teacher forcing', int('--windows'), 8)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o) => {
      await runAction(o, async () => {
        const r = await evalModel({ dir, data: o.data, label: o.label, split: o.split as EvalSplit, timedRows: o.timedRows, windows: o.windows });
        const nt = r.nextToken;
        if (r.engineAgreement !== 1) process.exitCode = 1;
        const t = r.timing;
        printResult(o, r, () => [
          `model ${r.model}: ${r.rows} rows${r.rejectedRows ? ` (${r.rejectedRows} rejected: input out of range)` : ''}`,
          `  float accuracy        ${pct(r.floatAccuracy)}`,
          `  integer accuracy      ${pct(r.integerAccuracy)}`,
          `  float/int agreement   ${pct(r.floatIntegerAgreement)}`,
          `  engine agreement      ${pct(r.engineAgreement)} (onnxruntime vs reference, must be 100%)`,
          `  max logit error       ${r.maxLogitError === null ? 'n/a' : r.maxLogitError.toFixed(4)}`,
          `  time per inference    float ORT ${micros(t.floatOnnxruntime?.singleMicros)} (batched ${micros(t.floatOnnxruntime?.batchMicrosPerRow)})`,
          `                        integer ORT ${micros(t.integerOnnxruntime.singleMicros)} (batched ${micros(t.integerOnnxruntime.batchMicrosPerRow)})`,
          `                        reference ${micros(t.reference.singleMicros)}`,
          ...(nt
            ? [
                `  next token            ${nt.positions} positions in ${nt.windows} windows: integer/float top-1 agreement ${pct(nt.top1Agreement)}`,
                `  perplexity            float ${nt.floatPerplexity.toFixed(4)}, integer ${nt.integerPerplexity.toFixed(4)}`,
              ]
            : []),
        ]);
        if (r.engineAgreement !== 1) process.stderr.write('error: onnxruntime and the reference executor disagree\n');
      });
    });

  model
    .command('vectors')
    .description('write shared test vectors (model encoding, integer input, output) for the circuit and Solidity tests')
    .argument('<dirs...>', 'model folders')
    .option('--out <file>', 'vector file', 'test/vectors/semantics.json')
    .option('--random <n>', 'seeded random inputs per model, after the edge cases', int('--random'), 4)
    .option('--data <csv>', 'also take rows of this CSV (for models whose input length matches)')
    .option('--rows <n>', 'rows taken from --data per model', int('--rows'), 8)
    .option('--json', 'machine-readable output')
    .action(async (dirs: string[], o) => {
      await runAction(o, async () => {
        const ds = o.data ? await readCsv(o.data) : null;
        const vectors: TestVector[] = [];
        for (const dir of dirs) vectors.push(...(await dirVectors(dir, { random: o.random, rows: ds?.rows.slice(0, o.rows) ?? [] })));
        await mkdir(dirname(o.out), { recursive: true });
        await writeFile(o.out, serializeVectors(vectors));
        printResult(o, { out: o.out, vectors: vectors.length, models: dirs.length }, () => [
          `${vectors.length} vectors from ${dirs.length} model(s) written to ${o.out} (onnxruntime and reference agree on all)`,
        ]);
      });
    });

  return model;
}
