/**
 * Compiles the services to plain JavaScript in dist/, for container images: `node
 * dist/apps/<app>/src/main.js` runs what `node -r @swc-node/register apps/<app>/src/main.ts`
 * runs today, without a TypeScript loader at run time.
 *
 * The same compiler and options as the loader and jest (swc: legacy decorators with metadata,
 * ES2022, CommonJS); the `@emporia/*` path aliases of tsconfig.base.json are rewritten to
 * relative requires. The layout under dist/ mirrors the repository, so the paths computed from
 * `__dirname` still hold: proto/ is copied to dist/proto (libs/contracts' PROTO_ROOT),
 * non-TypeScript files beside the sources (marketing's Lua script) are copied beside the output,
 * and an app's data folders beside its src (risk's trained fraud model, apps/risk/model) to
 * dist/apps/<app>/.
 * Tests (`*.spec.ts`, `test/`) and the test-only libs/testing are left out.
 *
 * Usage: node -r @swc-node/register tools/build.ts   (or `npm run build`)
 */
import { transformFile, type Options } from '@swc/core';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');
const out = join(root, 'dist');
const excludedLibs = new Set(['testing']);
/** Folders of data an app reads at run time, beside its src (copied as they are). */
const APP_DATA_FOLDERS = ['model'];
/** The operator console is a browser app, built by Vite (`npm run build:console`), not here. */
const excludedApps = new Set(['console']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sourceFiles(path);
    return entry.name.endsWith('.spec.ts') ? [] : [path];
  });
}

/** The `src` folders of apps/* and libs/* (files beside them, such as apps/README.md, are not projects). */
function sourceRoots(): string[] {
  const srcOf = (dir: string) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, dir, entry.name, 'src')))
      .map((entry) => entry.name);
  const apps = srcOf('apps')
    .filter((app) => !excludedApps.has(app))
    .map((app) => join(root, 'apps', app, 'src'));
  const libs = srcOf('libs')
    .filter((lib) => !excludedLibs.has(lib))
    .map((lib) => join(root, 'libs', lib, 'src'));
  return [...apps, ...libs];
}

async function main(): Promise<void> {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const options: Options = {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
    swcrc: false,
    configFile: false,
  };

  rmSync(out, { recursive: true, force: true });
  const files = sourceRoots().flatMap(sourceFiles);
  let compiled = 0;
  for (const file of files) {
    const target = join(out, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      cpSync(file, target);
      continue;
    }
    const js = target.replace(/\.ts$/, '.js');
    const result = await transformFile(file, {
      ...options,
      filename: file,
      outputPath: js,
      sourceFileName: relative(dirname(js), file),
    });
    writeFileSync(js, `${result.code}\n//# sourceMappingURL=${basename(js)}.map\n`);
    if (result.map) writeFileSync(`${js}.map`, result.map);
    compiled++;
  }
  cpSync(join(root, 'proto', 'emporia'), join(out, 'proto', 'emporia'), { recursive: true });
  for (const app of readdirSync(join(root, 'apps')))
    for (const data of APP_DATA_FOLDERS)
      if (existsSync(join(root, 'apps', app, data)))
        cpSync(join(root, 'apps', app, data), join(out, 'apps', app, data), { recursive: true });
  console.log(`build: ${compiled} files compiled into ${relative(root, out)}/`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
