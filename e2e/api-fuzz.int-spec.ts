import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startPlatform, type Platform } from '@emporia/testing';

/**
 * The gateway's OpenAPI document is the contract: schemathesis (from PyPI, installed by
 * tools/python-tools.sh) generates requests from it, valid and invalid, against the whole
 * platform on real servers, and checks every answer: no server error, a documented status, the
 * documented content type and headers, a body that matches the documented schema, invalid data
 * refused, valid data not refused, 405 for undocumented methods, auth not ignored. It runs
 * anonymously, as a customer and as an admin, over every operation (none excluded).
 */
jest.setTimeout(20 * 60_000);

const ST = join(REPO_ROOT, '.local', 'python', 'bin', 'st');
/** Cases per operation in the fuzzing phase (the examples and coverage phases add their own). */
const MAX_EXAMPLES = Number(process.env.API_FUZZ_MAX_EXAMPLES ?? 15);
const REPORTS = join(REPO_ROOT, '.local', 'api-fuzz');
/** A failed run prints its seed; API_FUZZ_SEED=<seed> runs the same cases again. */
const SEED = process.env.API_FUZZ_SEED;

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/**
 * schemathesis's pytest-style banners ("=== 1 failure, 4 warnings in 57s ===") left out: a CI log
 * reader takes them for pytest's closing line. They stay in the whole output written to the report.
 */
const withoutBanners = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^=+ .* =+$/.test(line.trim()))
    .join('\n');

/** The failures of a run (the phase-by-phase progress left out), at most 40 000 characters. */
const failuresOf = (out: string) => {
  const start = out.indexOf('= FAILURES =');
  const failures = withoutBanners(start >= 0 ? out.slice(out.lastIndexOf('\n', start)) : out);
  return failures.length > 40_000 ? `${failures.slice(0, 40_000)}\n[…]` : failures;
};

describe('the OpenAPI document is the contract (schemathesis against the running platform)', () => {
  let platform: Platform;
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    const install = await run('bash', ['tools/python-tools.sh']);
    if (install.code !== 0) throw new Error(`tools/python-tools.sh failed:\n${install.out}`);
    mkdirSync(REPORTS, { recursive: true });
    platform = await startPlatform({
      catalog: true,
      search: true,
      user: true,
      order: true,
      marketing: true,
      risk: true,
      analytics: true,
      support: true,
      review: true,
      notification: true,
    });
    const s = platform.suffix;
    const admin = await platform.signIn(
      `fuzz.admin.${s}@example.cn`,
      'fuzzing admin passphrase',
      'customer,operator,admin',
    );
    const customer = await platform.signIn(`fuzz.customer.${s}@example.cn`, 'fuzzing passphrase');
    tokens.admin = admin.auth.authorization;
    tokens.customer = customer.auth.authorization;
    // something to find: a category with an active product in stock
    await platform.stockedSku(admin.auth, { title: 'Fuzzing phone case' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it.each(['anonymous', 'customer', 'admin'])('finds nothing wrong as %s', async (who) => {
    const token = tokens[who];
    const fuzz = (workers: number) =>
      run(ST, [
        '--config-file',
        join(REPO_ROOT, 'tools', 'schemathesis.toml'),
        'run',
        `${platform.gatewayUrl}/docs/openapi.json`,
        '--max-examples',
        String(MAX_EXAMPLES),
        '--workers',
        String(workers),
        '--request-timeout',
        '15',
        ...(SEED ? ['--seed', SEED] : []),
        '--max-response-time',
        '10',
        '--report',
        'junit',
        '--report-junit-path',
        join(REPORTS, `${who}.junit.xml`),
        ...(token ? ['--header', `Authorization: ${token}`] : []),
      ]);
    let { code, out } = await fuzz(2);
    // CPython 3.11 can fail inside schemathesis when two of its workers parse code at once
    // ("SystemError: AST constructor recursion depth mismatch"): a crash of the tool, not an
    // answer of the API. Only then, once more with one worker.
    if (code !== 0 && out.includes('AST constructor recursion depth mismatch')) {
      process.stdout.write(
        `\nschemathesis as ${who} crashed inside CPython's ast module: again, one worker\n`,
      );
      ({ code, out } = await fuzz(1));
    }
    const report = join(REPORTS, `${who}.txt`);
    writeFileSync(report, out);
    // the summary, quoted: schemathesis closes with a pytest-style banner ("=== 3 warnings in 57s ===")
    // that a CI log reader takes for pytest's closing line (a run with no test); the banners stay in
    // the whole output only
    const summary = withoutBanners(out.slice(out.lastIndexOf('= SUMMARY =')))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => `  | ${line}`)
      .join('\n');
    process.stdout.write(`\nschemathesis as ${who} (whole output: ${report}):\n${summary}\n`);
    if (code !== 0) throw new Error(`schemathesis as ${who} exited ${code}:\n${failuresOf(out)}`);
  });
});
