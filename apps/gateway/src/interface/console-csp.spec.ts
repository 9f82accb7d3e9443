import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_STYLE_HASHES } from './http-hygiene';

const repoRoot = join(__dirname, '..', '..', '..', '..');

/** The text of every `style.textContent = `…`.trim()` in a React Aria module, as it runs. */
function injectedStyles(module: string): string[] {
  const source = readFileSync(
    join(repoRoot, 'node_modules/react-aria/dist/private', module),
    'utf8',
  );
  return [...source.matchAll(/style\.textContent = `([\s\S]*?)`\.trim\(\)/g)].map((m) =>
    m[1].replace(/\$\{[^}]*PRESSABLE_ATTRIBUTE\}/g, 'data-react-aria-pressable').trim(),
  );
}

describe("the console's CSP", () => {
  it('allows by hash exactly the style elements the installed React Aria adds', () => {
    const texts = [
      ...injectedStyles('interactions/usePress.mjs'),
      ...injectedStyles('overlays/usePreventScroll.mjs'),
    ];
    expect(texts).toHaveLength(2);
    const hashes = texts.map((t) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`);
    expect(hashes.sort()).toEqual([...CONSOLE_STYLE_HASHES].sort());
  });
});
