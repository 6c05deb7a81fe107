import { defineConfig } from 'vitest/config'

/**
 * The tests every package shares: `test/**\/*.test.ts`, 20 s per test and per hook (real servers
 * start in the hooks). `typeTests` also type-checks `test/**\/*.test-d.ts`: the structural client
 * types against the real clients' types.
 */
export function packageTests(options: { typeTests?: boolean } = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...(options.typeTests && {
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
      }),
    },
  })
}
