import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { Messages } from './i18n-types';

const SRC = __dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Every part's messages: the shell's (src/messages.ts) and each feature's. */
const parts: [string, Messages][] = files(SRC)
  .filter((f) => f.endsWith('/messages.ts'))
  .map((f) => [
    relative(SRC, f),
    (require(f) as { messages: Messages }).messages, // eslint-disable-line @typescript-eslint/no-require-imports
  ]);

/** The argument names a message takes (`{count}`, `{n, plural, …}`), nested ones included. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.literal || e.type === TYPE.pound) continue;
    into.add(e.value);
    if (e.type === TYPE.plural || e.type === TYPE.select)
      for (const option of Object.values(e.options)) argumentsOf(option.value, into);
    if (e.type === TYPE.tag) argumentsOf(e.children, into);
  }
  return into;
}

describe("the console's messages", () => {
  it('has the shell and every feature', () => {
    expect(parts.map(([f]) => f)).toEqual(expect.arrayContaining(['messages.ts']));
    expect(parts.length).toBeGreaterThanOrEqual(9);
  });

  it.each(parts)(
    '%s: the same ids in Chinese and English, each prefixed by its part',
    (file, m) => {
      expect(Object.keys(m.en).sort()).toEqual(Object.keys(m['zh-CN']).sort());
      const part = /^features\/([^/]+)\//.exec(file)?.[1];
      if (part)
        for (const id of Object.keys(m.en))
          expect(id.startsWith(`${part}.`) ? id : `${part}.? ${id}`).toBe(id);
    },
  );

  it.each(parts)(
    '%s: every message is valid ICU, with the same arguments in both languages',
    (_f, m) => {
      for (const id of Object.keys(m.en)) {
        const en = argumentsOf(parse(m.en[id]));
        const zh = argumentsOf(parse(m['zh-CN'][id]));
        expect({ id, args: [...zh].sort() }).toEqual({ id, args: [...en].sort() });
      }
    },
  );

  it('defines no id twice', () => {
    const seen = new Map<string, string>();
    for (const [file, m] of parts)
      for (const id of Object.keys(m.en)) {
        expect({ id, alsoIn: seen.get(id) }).toEqual({ id, alsoIn: undefined });
        seen.set(id, file);
      }
  });

  it('has every id the code uses', () => {
    const defined = new Set(parts.flatMap(([, m]) => Object.keys(m.en)));
    const used = new Map<string, string>();
    const pattern = /(?:\bt\(\s*|labelId:\s*|\bid:\s*|\bid=)['"]([a-zA-Z][\w-]*\.[\w.-]+)['"]/g;
    for (const file of files(SRC).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.spec.ts')))
      for (const match of readFileSync(file, 'utf8').matchAll(pattern))
        used.set(match[1], relative(SRC, file));
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter(([id]) => !defined.has(id)).map(([id, f]) => `${id} (${f})`);
    expect(missing).toEqual([]);
  });
});
