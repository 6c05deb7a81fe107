import { defineConfig } from 'vitest/config'

// The smoke test runs `--quick` once (about half a minute, longer on a busy machine).
export default defineConfig({
  test: { include: ['test/**/*.test.mjs'], testTimeout: 30_000, hookTimeout: 300_000 },
})
