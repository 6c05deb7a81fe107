/**
 * Install size: what `npm install` puts in node_modules of an empty project. apptoken's core is
 * `npm pack`ed from the workspace and installed from the tarball, so its dependencies come from
 * the registry as a user would get them; msal-node and identity are installed at the pinned
 * versions the bench compares against.
 */
import { execFile } from 'node:child_process'
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const REPO = fileURLToPath(new URL('../..', import.meta.url))

export async function measureInstallSizes(versions) {
  const dir = mkdtempSync(join(tmpdir(), 'apptoken-bench-install-'))
  try {
    const { stdout } = await npm(
      ['pack', '--workspace=packages/core', '--pack-destination', dir, '--json'],
      REPO,
    )
    const packed = JSON.parse(stdout)[0]
    const tarball = join(dir, packed.filename)
    return {
      apptoken: { ...(await installInto(dir, 'core', tarball)), tarballBytes: statSync(tarball).size },
      msal: await installInto(dir, 'msal', `@azure/msal-node@${versions.msal}`),
      identity: await installInto(dir, 'identity', `@azure/identity@${versions.identity}`),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function installInto(root, name, spec) {
  const project = join(root, name)
  rmSync(project, { recursive: true, force: true })
  mkdirSync(project, { recursive: true })
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: `size-${name}`, version: '0.0.0', private: true }),
  )
  await npm(['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec], project)
  const modules = join(project, 'node_modules')
  const packages = {}
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue
    const names = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`)
      : [entry]
    for (const n of names) packages[n] = duBytes(join(modules, n))
  }
  return { bytes: duBytes(modules), packages }
}

/** Apparent size of a tree, like `du -sb` (symlinks counted as links, not followed). */
function duBytes(path) {
  const st = lstatSync(path)
  if (!st.isDirectory()) return st.size
  let total = st.size
  for (const entry of readdirSync(path)) total += duBytes(join(path, entry))
  return total
}

// npm must not inherit the workspace settings of the `npm run bench` that started us.
function npm(args, cwd) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^npm_(config_(workspaces?|include_workspace_root|prefix|global|location)|package_|lifecycle_)/i.test(
          k,
        ),
    ),
  )
  return run('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })
}
