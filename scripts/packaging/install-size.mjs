// Install size (`npm run size`): what `npm install` puts in an empty project's node_modules for
// @apptoken/core (from its packed tarball, with its dependencies from the registry) beside
// @azure/msal-node and @azure/identity (from the registry), measured the same way: `du -sb`.
// Usage: node scripts/packaging/install-size.mjs [--markdown]
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { publicPackages, removeDir, run, tempDir } from './lib.mjs'
import { packAll } from './pack.mjs'

const COMPARED = ['@azure/msal-node@7.2.1', '@azure/identity@4.14.1']

async function measure(label, spec) {
  const dir = await tempDir('size')
  try {
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'apptoken-install-size', private: true }),
    )
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', spec],
      { cwd: dir },
    )
    if (install.code !== 0) throw new Error(`npm install ${spec} failed:\n${install.output}`)
    const du = await run('du', ['-sb', 'node_modules'], { cwd: dir })
    if (du.code !== 0) throw new Error(`du -sb failed: ${du.output}`)
    const bytes = Number(du.output.trim().split(/\s+/)[0])
    const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8'))
    const installed = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/'))
    return { label, bytes, packages: installed.length }
  } finally {
    await removeDir(dir)
  }
}

const core = publicPackages().find((p) => p.folder === 'core')
if (!core?.ready) {
  console.error('@apptoken/core is not built: run `npx turbo run build --filter=@apptoken/core` first')
  process.exit(1)
}
const packDir = await tempDir('size-pack')
const [packed] = await packAll([core], packDir)
if (packed.error) throw new Error(packed.error)
const rows = [await measure(`@apptoken/core@${core.manifest.version} (packed)`, packed.tarball)]
for (const spec of COMPARED) rows.push(await measure(spec, spec))
await removeDir(packDir)

const mb = (bytes) => (bytes / 1_000_000).toFixed(2)
if (process.argv.includes('--markdown')) {
  console.log('| package | node_modules (`du -sb`) | packages installed |')
  console.log('|---|---:|---:|')
  for (const r of rows) console.log(`| \`${r.label}\` | ${mb(r.bytes)} MB | ${r.packages} |`)
} else {
  console.log(
    `Install size into an empty project ("npm install <package>", then "du -sb node_modules"), node ${process.version}`,
  )
  for (const r of rows)
    console.log(
      `  ${r.label.padEnd(36)} ${mb(r.bytes).padStart(7)} MB  ${String(r.packages).padStart(3)} packages`,
    )
}
