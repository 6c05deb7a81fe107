// The API reference (typedoc) of every public package, from the TSDoc of its source.
// One entry point per package export: a generated stub names the module after the package
// (`@module @apptoken/core`) and re-exports its source, so the reference reads by package, and
// `@apptoken/*` imports resolve to source (not dist) so cross-package links work.
// Usage: node scripts/packaging/typedoc.mjs [--check]   (--check: warnings are errors, no output)
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { ROOT, publicPackages, removeDir, tempDir } from './lib.mjs'

/** Entry points per package export: `.` is src/index.ts; a subpath `./x` is src/x.ts. */
export function typedocEntries(packages) {
  const entries = []
  for (const { name, dir, manifest } of packages) {
    for (const subpath of Object.keys(manifest.exports ?? { '.': '' })) {
      if (subpath === './package.json') continue
      const file = join(dir, 'src', subpath === '.' ? 'index.ts' : `${subpath.slice(2)}.ts`)
      if (existsSync(file))
        entries.push({ module: subpath === '.' ? name : `${name}/${subpath.slice(2)}`, file })
    }
  }
  return entries
}

/**
 * Writes the stubs and a tsconfig into a temp dir (not node_modules: typedoc would treat them as
 * externals) and returns the typedoc CLI arguments; `cleanup()` removes the dir.
 */
export async function prepareTypedoc(packages, { check = false } = {}) {
  const dir = await tempDir('typedoc')
  const entries = typedocEntries(packages)
  const stubs = []
  for (const { module, file } of entries) {
    const stub = join(dir, `${module.replace(/[@/]/g, '_')}.mts`)
    const target = relative(dir, file).replace(/\.ts$/, '.js')
    const description =
      packages.find((p) => module === p.name || module.startsWith(`${p.name}/`))?.manifest.description ?? ''
    await writeFile(
      stub,
      `/**\n * ${description}\n *\n * @module ${module}\n */\nexport * from '${target}'\n`,
    )
    stubs.push(stub)
  }
  const paths = Object.fromEntries(entries.map(({ module, file }) => [module, [file]]))
  const tsconfig = {
    extends: join(ROOT, 'tsconfig.base.json'),
    compilerOptions: { noEmit: true, paths, typeRoots: [join(ROOT, 'node_modules/@types')] },
    files: stubs,
  }
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  const args = [
    ...['--options', join(ROOT, 'typedoc.json'), '--tsconfig', join(dir, 'tsconfig.json')],
    ...stubs.flatMap((s) => ['--entryPoints', s]),
  ]
  if (check) args.push('--treatWarningsAsErrors', '--emit', 'none')
  return { args, entries, cleanup: () => removeDir(dir) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { spawnSync } = await import('node:child_process')
  const { args, cleanup } = await prepareTypedoc(publicPackages(), {
    check: process.argv.includes('--check'),
  })
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  await cleanup()
  process.exit(result.status ?? 1)
}
