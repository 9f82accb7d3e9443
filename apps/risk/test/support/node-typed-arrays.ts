import { runInThisContext } from 'node:vm';

/**
 * Import first in a suite that runs the fraud model in the jest process. onnxruntime-node's
 * native binding makes its output arrays in Node's realm, and onnxruntime's JavaScript checks
 * them with `instanceof Float32Array` against the globals of the realm that evaluated it —
 * jest's own, so every run fails ("A float32 tensor's data must be type of Float32Array"). The
 * suite's globals take Node's typed-array constructors before onnxruntime is loaded, so both
 * sides agree. (The service itself runs in one realm and needs nothing of the kind.)
 */
for (const name of [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'Uint8ClampedArray',
] as const)
  Object.assign(globalThis, { [name]: runInThisContext(name) as unknown });
