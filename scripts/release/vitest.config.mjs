// The release rehearsal's unit tests (pure checks on crafted input); run by
// scripts/release-rehearsal.sh before the real rehearsal.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { root: import.meta.dirname, include: ['test/**/*.test.mjs'] },
})
