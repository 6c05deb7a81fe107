// Checks of an unpacked tarball that publint and attw do not make: the fields every apptoken
// package promises (issue 10), the files it ships, and that every import in dist/ is declared.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { ROOT } from './lib.mjs'

const ROOT_ENGINES = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node
const SHIPPED = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+)$/
const BUILTINS = new Set(builtinModules)

/**
 * @param {string} folder packages/<folder>
 * @param {string} unpacked the `package/` dir of the unpacked tarball
 * @param {string[]} files the tarball's file list
 * @returns {{ errors: string[], warnings: string[] }}
 */
export function checkManifest(folder, unpacked, files) {
  const errors = []
  const warnings = []
  const m = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'))
  const need = (ok, message) => ok || errors.push(message)

  need(m.name === `@apptoken/${folder}`, `name is ${JSON.stringify(m.name)}, expected "@apptoken/${folder}"`)
  need(typeof m.version === 'string' && /^\d+\.\d+\.\d+/.test(m.version), 'version is missing')
  need(typeof m.description === 'string' && m.description.length > 10, 'description is missing')
  need(Array.isArray(m.keywords) && m.keywords.length > 0, 'keywords are missing')
  need(m.license === 'MIT', `license is ${JSON.stringify(m.license)}, expected "MIT"`)
  need(m.type === 'module', 'type is not "module" (the packages are ESM-only)')
  need(
    m.repository?.url !== undefined && m.repository?.directory === `packages/${folder}`,
    `repository must have url and directory "packages/${folder}"`,
  )
  need(
    m.engines?.node === ROOT_ENGINES,
    `engines.node is ${JSON.stringify(m.engines?.node)}, expected "${ROOT_ENGINES}" like the root`,
  )
  need(m.sideEffects === false, 'sideEffects is not false')
  need(Array.isArray(m.files), 'files is missing (the tarball would ship everything)')
  need(m.publishConfig?.access === 'public', 'publishConfig.access is not "public"')
  const main = m.exports?.['.']
  need(
    typeof main === 'object' &&
      main !== null &&
      typeof main.types === 'string' &&
      typeof (main.default ?? main.import) === 'string',
    'exports["."] must be { types, default }',
  )

  for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    need(files.includes(required), `${required} is not in the tarball`)
  }
  if (files.includes('LICENSE')) {
    const license = readFileSync(join(unpacked, 'LICENSE'), 'utf8')
    need(
      /MIT License/.test(license) && /apptoken contributors/.test(license),
      'LICENSE is not the MIT license of "apptoken contributors"',
    )
  }
  for (const file of files) {
    if (!SHIPPED.test(file))
      errors.push(`ships ${file} (only dist/, README.md, LICENSE, CHANGELOG.md belong in the tarball)`)
    else if (/(^|\/)(test|__tests__)\/|\.test\.[cm]?[jt]s$|\.tsbuildinfo$/.test(file))
      errors.push(`ships ${file}`)
  }

  const peers = m.peerDependencies ?? {}
  for (const name of Object.keys(m.peerDependenciesMeta ?? {})) {
    need(name in peers, `peerDependenciesMeta names ${name}, which is not a peer dependency`)
  }
  for (const name of Object.keys(peers)) {
    need(name in (m.devDependencies ?? {}), `peer ${name} is not a devDependency, so no test runs against it`)
  }
  // Lockstep versions (.changeset fixed group): an adapter pins the core it was tested with.
  for (const [name, spec] of Object.entries(m.dependencies ?? {})) {
    if (name.startsWith('@apptoken/'))
      need(spec === m.version, `dependency ${name}@${spec} is not the lockstep version ${m.version}`)
  }

  checkImports(m, unpacked, files, errors, warnings)
  return { errors, warnings }
}

/** Every bare import in dist/ must be a builtin, the package itself, a dependency or a peer. */
function checkImports(m, unpacked, files, errors, warnings) {
  const declared = new Set([
    m.name,
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}),
  ])
  const optionalPeers = new Set(
    Object.entries(m.peerDependenciesMeta ?? {})
      .filter(([, v]) => v?.optional)
      .map(([k]) => k),
  )
  const reported = new Set()
  for (const file of files.filter((f) => /^dist\/.*\.(m|c)?(js|ts)$/.test(f))) {
    for (const { specifier } of importsOf(readFileSync(join(unpacked, file), 'utf8'))) {
      const name = packageNameOf(specifier)
      if (name === undefined || declared.has(name) || reported.has(name)) continue
      reported.add(name)
      const kind = m.devDependencies?.[name] !== undefined ? 'a devDependency' : 'not declared'
      errors.push(
        `${file} imports "${specifier}", which is ${kind}: users will not have it (add it to dependencies or peerDependencies)`,
      )
    }
  }
  // An optional peer loaded statically by the main entry breaks every user who skipped it.
  const entry =
    typeof m.exports?.['.'] === 'object' ? (m.exports['.'].default ?? m.exports['.'].import) : m.main
  if (entry === undefined || !existsSync(join(unpacked, entry))) return
  const seen = new Set()
  const visit = (file) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    for (const { specifier, dynamic } of importsOf(source)) {
      if (dynamic) continue
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        if (existsSync(target) && statSync(target).isFile()) visit(target)
        continue
      }
      const name = packageNameOf(specifier)
      if (name !== undefined && optionalPeers.has(name)) {
        errors.push(
          `${relative(unpacked, file)} (loaded by "${m.name}") imports the optional peer ${name} statically: users without it cannot import the package`,
        )
      }
    }
  }
  visit(join(unpacked, entry))
  const typesEntry = m.exports?.['.']?.types
  if (typeof typesEntry === 'string' && existsSync(join(unpacked, typesEntry))) {
    for (const { specifier } of importsOf(readFileSync(join(unpacked, typesEntry), 'utf8'))) {
      const name = packageNameOf(specifier)
      if (name !== undefined && optionalPeers.has(name)) {
        warnings.push(
          `${typesEntry} imports types from the optional peer ${name}: users without it and with skipLibCheck: false get TS2307`,
        )
      }
    }
  }
}

/** Import specifiers of JS or .d.ts source (comments removed first: TSDoc examples import things). */
export function importsOf(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/(?!\/ <reference).*$/gm, '')
  const found = []
  const add = (re, dynamic) => {
    for (const match of code.matchAll(re)) found.push({ specifier: match[1], dynamic })
  }
  add(/(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, false)
  add(/(?:^|[\s;}])import\s*['"]([^'"]+)['"]/g, false)
  add(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, true)
  add(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, false)
  add(/\/\/\/\s*<reference\s+types\s*=\s*['"]([^'"]+)['"]/g, false)
  return found
}

/** The npm package a bare specifier names; undefined for relative, builtin and `#` imports. */
function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) return undefined
  if (specifier === 'node') return undefined // `/// <reference types="node" />`: Node's own types
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]))
    return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}
