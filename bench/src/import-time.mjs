/**
 * Import time: a fresh `node` per sample imports the package and reports, from inside, how long
 * the `import()` took (process start-up excluded). Packages alternate so none is favoured by a
 * warm file cache; the first round is discarded.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { median } from './harness.mjs'

const run = promisify(execFile)
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

export const IMPORTED = { apptoken: '@apptoken/core', msal: '@azure/msal-node', identity: '@azure/identity' }

export async function measureImportTimes(repeats) {
  const samples = Object.fromEntries(Object.keys(IMPORTED).map((k) => [k, []]))
  for (let round = -1; round < repeats; round++) {
    for (const [name, specifier] of Object.entries(IMPORTED)) {
      const ms = await importOnce(specifier)
      if (round >= 0) samples[name].push(ms)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: median(v), samples: v }]))
}

async function importOnce(specifier) {
  const code = `const t = process.hrtime.bigint(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: BENCH_DIR,
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  return Number(stdout)
}
