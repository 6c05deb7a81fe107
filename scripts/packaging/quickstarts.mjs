// The README quick starts as a consumer runs them: the typed fixtures in consumer/ (each
// package's quick start against @apptoken/testing, and commonjs.cts) compiled to .mjs/.cjs into a
// project that has the packages installed, then run with Node — ESM each in its own process, and
// CommonJS require(esm). Used by the packaging check (packed tarballs) and the release rehearsal
// (packages installed from a registry).
import { readdirSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT, childEnv, pool, rootRequire, run } from './lib.mjs'

export const FIXTURES = join(ROOT, 'scripts/packaging/consumer')
const ts = rootRequire('typescript')

/**
 * @typedef {{ name: string, ok: boolean, ms: number, detail?: string, note?: string }} Step
 * @typedef {{ quickStarts: string[], cjsReady: boolean, sources: string[], missing: Step[] }} QuickStarts
 */

/**
 * Writes the quick starts of `folders` (packages/<folder>) into `dir`, as typed sources and compiled.
 * @param {string} dir a consumer project with the packages installed
 * @param {Set<string>} folders
 * @returns {Promise<QuickStarts>}
 */
export async function writeQuickStarts(dir, folders) {
  const quickStarts = readdirSync(join(FIXTURES, 'quickstart'))
    .filter((f) => f.endsWith('.mts') && folders.has(f.replace(/(-[\w-]+)?\.mts$/, '')))
    .map((f) => `quickstart/${f}`)
  const cjsReady = folders.has('core') && folders.has('axios') && folders.has('testing')
  const sources = ['support.mts', ...quickStarts, ...(cjsReady ? ['commonjs.cts'] : [])]
  await mkdir(join(dir, 'quickstart'), { recursive: true })
  for (const file of sources) {
    const source = await readFile(join(FIXTURES, file), 'utf8')
    await writeFile(join(dir, file), source)
    await writeFile(
      join(dir, file.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs')),
      transpile(source, file),
    )
  }
  /** @type {Step[]} */
  const missing = []
  for (const folder of folders) {
    if (!quickStarts.includes(`quickstart/${folder}.mts`)) {
      missing.push({
        name: `quick start of @apptoken/${folder}`,
        ok: false,
        ms: 0,
        detail: `no scripts/packaging/consumer/quickstart/${folder}.mts: add one (its README quick start against @apptoken/testing)`,
      })
    }
  }
  return { quickStarts, cjsReady, sources, missing }
}

/**
 * Runs the written quick starts: each ESM one in its own process, then commonjs.cjs, which
 * `require()`s every package in `packageNames` and runs the core and axios quick starts.
 * @param {string} dir
 * @param {QuickStarts} written
 * @param {string[]} packageNames
 * @param {{ esm?: boolean }} [options] `esm: false` runs the CommonJS file only
 * @returns {Promise<Step[]>}
 */
export async function runQuickStarts(dir, { quickStarts, cjsReady }, packageNames, { esm = true } = {}) {
  const steps = await pool(2, esm ? quickStarts : [], async (file) => {
    const script = file.replace(/\.mts$/, '.mjs')
    const result = await run(process.execPath, [script], { cwd: dir, timeoutMs: 60_000 })
    return { name: `ESM  node ${script}`, ok: result.code === 0, ms: result.ms, detail: result.output }
  })
  if (cjsReady) {
    const result = await run(process.execPath, ['commonjs.cjs'], {
      cwd: dir,
      env: childEnv({ APPTOKEN_PACKAGES: packageNames.join(',') }),
      timeoutMs: 60_000,
    })
    steps.push({
      name: `CJS  node commonjs.cjs (require() of ${packageNames.length} packages, core + axios quick start)`,
      ok: result.code === 0,
      ms: result.ms,
      detail: result.output,
    })
  }
  return steps
}

function transpile(source, fileName) {
  const { outputText } = ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
    },
  })
  return outputText
}
