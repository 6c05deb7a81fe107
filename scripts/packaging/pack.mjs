// `npm pack` for every ready public package, and unpacking for inspection.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { childEnv, pool, run } from './lib.mjs'

/**
 * Packs each package into `dest` with the npm CLI a publisher would use.
 * @param {import('./lib.mjs').PublicPackage[]} packages
 * @returns {Promise<{ pkg: import('./lib.mjs').PublicPackage, tarball?: string, files?: string[], unpackedSize?: number, error?: string }[]>}
 */
export function packAll(packages, dest) {
  return pool(4, packages, async (pkg) => {
    const result = await run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', dest], {
      cwd: pkg.dir,
    })
    if (result.code !== 0) return { pkg, error: result.output }
    const json = result.output.slice(result.output.indexOf('['))
    const [info] = JSON.parse(json)
    return {
      pkg,
      tarball: join(dest, info.filename),
      files: info.files.map((f) => f.path),
      unpackedSize: info.unpackedSize,
    }
  })
}

/** Unpacks a tarball into `dir`/package, as npm would install it. */
export async function unpack(tarball, dir) {
  await mkdir(dir, { recursive: true })
  const result = await run('tar', ['-xzf', tarball, '-C', dir])
  if (result.code !== 0) throw new Error(`tar -xzf ${tarball}: ${result.output}`)
  return join(dir, 'package')
}

/**
 * Installs the packed tarballs into a fresh project `dir`, as a user would, with `dependencies`
 * (peers, tools) from the registry. Adapters depend on "@apptoken/core": "<version>": an override
 * points that at the tarball too, so nothing comes from the workspace or the registry's @apptoken.
 * @param {{ pkg: import('./lib.mjs').PublicPackage, tarball: string }[]} packed
 * @param {Record<string, string>} dependencies
 */
export async function installTarballs(dir, name, packed, dependencies) {
  const all = {}
  const overrides = {}
  for (const { pkg, tarball } of packed) {
    all[pkg.name] = `file:${tarball}`
    overrides[pkg.name] = `$${pkg.name}`
  }
  Object.assign(all, dependencies)
  const manifest = { name, private: true, type: 'module', dependencies: all, overrides }
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: childEnv(),
  })
}
