import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The operator console: a single-page app built into dist/console and served by the gateway at
 * /admin (`npm run build:console`; `npm start` and `npm test` build it).
 */
export default defineConfig({
  root: here('.'),
  base: '/admin/',
  publicDir: false,
  resolve: { alias: { '@emporia/sdk': here('../../libs/sdk/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // React libraries mark their modules "use client" (for server components): meaningless here
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // `npx vite apps/console` against a gateway on :8080 while developing the console
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
