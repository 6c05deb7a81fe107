import { defineConfig, type UserConfig } from 'tsdown'

/** The build every package shares: ESM for Node >= 22.12, `dist/*.js` + `.d.ts`. */
export function packageBuild(overrides: UserConfig = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: 'esm',
    platform: 'node',
    target: 'node22',
    dts: true,
    fixedExtension: false,
    clean: true,
    ...overrides,
  })
}
