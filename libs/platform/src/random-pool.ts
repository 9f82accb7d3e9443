import { randomFillSync } from 'node:crypto';

/**
 * Random bytes cut from a pool refilled 4 KiB at a time from the system's CSPRNG: one
 * `randomFillSync` per few hundred ids instead of one per id, on paths that make one or more per
 * request (trace and span ids, purchase tokens). Each byte is handed out once.
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

/** `bytes` fresh random bytes (at most 4096) as hex or base64url text. */
export function pooledRandom(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const text = POOL.toString(encoding, poolAt, poolAt + bytes);
  poolAt += bytes;
  return text;
}
