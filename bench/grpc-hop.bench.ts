/**
 * One gRPC hop, the client's cost (issue 19): the platform's client (`H2Channel`, unary calls on
 * `node:http2`, libs/platform/src/h2-channel.ts) against grpc-js' client with the channel
 * settings the platform used until round 11 (round robin, reconnection backoff, keepalive, no
 * channelz), both calling the same grpc-js server (a child process, the servers' settings) in
 * BENCH_ROUNDS alternating windows. The client is this process: its CPU per call is the figure;
 * the server's CPU per call (from /proc) shows what the server does the same either way.
 *
 *   npm run bench:grpc-hop   (BENCH_SECONDS per window, BENCH_CONCURRENCY, BENCH_ROUNDS,
 *                             BENCH_ANSWER_BYTES: the answer's size, 10,240 like a search page;
 *                             BENCH_RESULT_NAME: the result file's name, grpc-hop by default, the
 *                             only one that writes the summary's figures)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { GRPC_SERVER_OPTIONS, H2Channel } from '@emporia/platform';
import { freePort } from '@emporia/testing';
import {
  cpuPerRequest,
  machine,
  measureWindow,
  percentiles,
  RESULTS_DIR,
  table,
  windowedSide,
  writeFigures,
  type WindowedSide,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ANSWER_BYTES = Number(process.env.BENCH_ANSWER_BYTES ?? 10_240);
const RESULT_NAME = process.env.BENCH_RESULT_NAME ?? 'grpc-hop';
const PATH = '/bench.Hop/Call';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** grpc-js' channel settings of `grpcClient` until round 11 (libs/platform, git history). */
const GRPC_JS_OPTIONS = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_channelz': 0,
};

/** The server: grpc-js with the services' settings, one method answering ANSWER_BYTES bytes. */
const SERVER = `
const grpc = require('@grpc/grpc-js');
const id = (b) => b;
const answer = Buffer.alloc(${ANSWER_BYTES}, 'x');
const server = new grpc.Server(${JSON.stringify(GRPC_SERVER_OPTIONS)});
server.addService(
  { call: { path: '${PATH}', requestStream: false, responseStream: false,
      requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
  { call: (call, cb) => cb(null, answer) },
);
server.bindAsync('127.0.0.1:' + process.argv[1], grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write('ready\\n');
});
`;

async function main() {
  const port = await freePort();
  const server = spawn(process.execPath, ['-e', SERVER, String(port)], {
    cwd: join(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout.once('data', () => resolve());
    server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  const target = `127.0.0.1:${port}`;
  const request = Buffer.from(JSON.stringify({ query: '手机', page: 1 }));
  const id = (b: Buffer) => b;

  const grpcJs = new Client(target, credentials.createInsecure(), GRPC_JS_OPTIONS);
  const h2 = new H2Channel(target);
  const sides: { label: string; side: ReturnType<typeof windowedSide> }[] = [
    {
      label: "grpc-js' client",
      side: windowedSide(
        "grpc-js' client",
        () =>
          new Promise((resolve) => {
            const md = new Metadata();
            md.set('traceparent', TRACEPARENT);
            grpcJs.makeUnaryRequest(
              PATH,
              id,
              id,
              request,
              md,
              { deadline: new Date(Date.now() + 5000) },
              (err, res) =>
                resolve(err ? String(err.code) : res?.length === ANSWER_BYTES ? undefined : 'size'),
            );
          }),
      ),
    },
    {
      label: 'H2Channel (node:http2)',
      side: windowedSide('H2Channel (node:http2)', async () => {
        const res = await h2
          .unary(PATH, request, { traceparent: TRACEPARENT }, Date.now() + 5000, 750)
          .catch((e: { code?: number }) => String(e.code));
        return typeof res === 'string' ? res : res.length === ANSWER_BYTES ? undefined : 'size';
      }),
    },
  ];
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (const { side } of sides)
        await measureWindow(side, {
          concurrency: CONCURRENCY,
          seconds: SECONDS,
          warmupSeconds: round === 0 ? 3 : 1,
          meterPids: { server: server.pid },
        });
  } finally {
    grpcJs.close();
    h2.close();
    server.kill();
  }

  const results = sides.map(({ side }) => {
    const s: WindowedSide = side.s;
    const lat = percentiles(s.latencies);
    s.run.perSecond = s.run.ok / s.run.seconds;
    Object.assign(s.run, lat);
    return {
      s,
      clientUs: (s.cpu.loadGeneratorMs / s.run.ok) * 1000,
      serverUs: ((s.cpu.byProcess.server ?? 0) / s.run.ok) * 1000,
    };
  });
  const [base, now] = results;
  const clientRatio = now.clientUs / base.clientUs;
  const serverRatio = now.serverUs / base.serverUs;
  const text = [
    `# One gRPC hop: the client's cost (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}. Command: \`npm run bench:grpc-hop\` (BENCH_SECONDS=${SECONDS} per window, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ROUNDS=${ROUNDS}, BENCH_ANSWER_BYTES=${ANSWER_BYTES}${RESULT_NAME !== 'grpc-hop' ? `, BENCH_RESULT_NAME=${RESULT_NAME}` : ''}). Both clients call the same grpc-js server (a child process with the services' \`GRPC_SERVER_OPTIONS\`; a unary method answering ${ANSWER_BYTES} bytes to a ${request.length}-byte request with a \`traceparent\`), ${CONCURRENCY} calls at once, in ${ROUNDS} alternating windows each, pooled. The client is the benchmark's own process: its CPU is the client's (the loop's own share is the same on both sides).`,
    '',
    table(results.map((r) => r.s.run)),
    '',
    ...results.map(
      (r) =>
        `- ${r.s.run.name}: client ${r.clientUs.toFixed(1)} µs of CPU per call, server ${r.serverUs.toFixed(1)} µs (${cpuPerRequest(r.s.cpu, r.s.run.ok)}).`,
    ),
    '',
    `- H2Channel ÷ grpc-js' client: client CPU per call **${clientRatio.toFixed(2)}×**, the server's ${serverRatio.toFixed(2)}×, calls per second ${(now.s.run.perSecond / base.s.run.perSecond).toFixed(2)}×, p99 ${(now.s.run.p99 / base.s.run.p99).toFixed(2)}×.`,
    '',
  ].join('\n');
  const file = join(RESULTS_DIR, `${RESULT_NAME}.md`);
  writeFileSync(file, text);
  if (RESULT_NAME === 'grpc-hop')
    writeFigures('grpc-hop', [
      {
        name: "gRPC client CPU per call, H2Channel ÷ grpc-js' client",
        value: clientRatio,
        unit: '×',
      },
      { name: 'gRPC client CPU per call, H2Channel (µs)', value: now.clientUs, unit: 'µs' },
      { name: "gRPC client CPU per call, grpc-js' client (µs)", value: base.clientUs, unit: 'µs' },
    ]);
  process.stdout.write(`${text}\nwritten to ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
