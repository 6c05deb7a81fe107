import { defineConfig } from 'tsdown'

export default defineConfig({
  // Two entries: the v3 client never loads Kiota; `@apptoken/graph/kiota` is the Kiota-based SDK's.
  entry: ['src/index.ts', 'src/kiota.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  dts: true,
  fixedExtension: false,
  clean: true,
  external: [/^@microsoft\//, /^@apptoken\//],
})
