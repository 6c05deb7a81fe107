// TSDoc `@example` blocks, type-checked like the README quick starts.
//
// Every ```ts block under an `@example` tag in packages/*/src is written to its own module,
// wrapped in a block (so its declarations may shadow the preamble's), after a preamble that imports
// everything its package (and @apptoken/core) exports and declares the free names examples
// commonly use (`provider`, `scopes`, `tenantId`...). An example that uses an export that no longer
// exists, a wrong option name or a wrong argument type then fails `tsc`.
//
// The consumer test (consumer-test.mjs) writes them into its newest-peers project, where the tarballs
// are installed, and its `tsc` run checks them. `node scripts/packaging/examples.mjs` checks them
// against the workspace instead (a quick loop while writing docs; needs `npm run build` first).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { BIN, ROOT, publicPackages, run } from './lib.mjs'

/**
 * Names examples use without declaring them, with the type they stand for. Keep it short: an
 * example that needs more should declare what it uses.
 */
const FREE_NAMES = {
  provider: "import('@apptoken/core').TokenProvider",
  scopes: 'string',
  scope: 'string',
  tenantId: 'string',
  clientId: 'string',
  secret: 'string',
  credential: "import('@apptoken/core').Credential",
  clock: "import('@apptoken/core').Clock",
  ctx: "import('@apptoken/core').CredentialContext",
  token: "import('@apptoken/core').AccessToken",
  e: 'unknown',
  error: 'unknown',
  now: 'number',
  expiresAt: 'number',
  refreshAt: 'number',
  jwt: 'string',
  key: 'string',
  url: 'string',
  baseUrl: 'string',
  prefixUrl: 'string',
  signal: 'AbortSignal',
  headers: 'Headers',
  authority: "import('@apptoken/testing').TestAuthority",
}

/**
 * Stand-ins for the user's own objects and for modules an example does not import (an HTTP
 * client, a test runner, a Graph SDK class): any value.
 */
const ANY_NAMES = [
  'axios',
  'ky',
  'got',
  'fs',
  'path',
  'readFile',
  'expect',
  'vault',
  'store',
  'cache',
  'client',
  'body',
  'res',
  'response',
  'req',
  'http',
  'logger',
  'options',
  'config',
  'auth',
  'sent',
  'api',
  'graph',
  'otherApi',
  'item',
  'id',
  'tenant',
  'appId',
  'signer',
  'cert',
  'imdsUrl',
  'discoveryUrl',
  'vaultUrl',
  'encryptionKey',
  'wwwAuthenticate',
  'dispatch',
  'firstToken',
  'refreshedToken',
  'Agent',
  'Client',
  'SecretClient',
  'FetchRequestAdapter',
  'MiddlewareFactory',
  'KiotaClientFactory',
  'BaseBearerTokenAuthenticationProvider',
  'retryWithMergedOptions',
  'rotateSecret',
  'alertOps',
  'scheduleRetry',
  'attach',
]

const EXPORT_LIST = /export\s+(?:type\s+)?\{([^}]*)\}/g
const EXPORT_DECL =
  /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g

/** The names an entry file exports (`export { a, b as c } from`, `export function d`...). */
function exportedNames(file) {
  const text = readFileSync(file, 'utf8')
  const names = new Set()
  for (const m of text.matchAll(EXPORT_LIST))
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim()
      if (name) names.add(name)
    }
  for (const m of text.matchAll(EXPORT_DECL)) names.add(m[1])
  return names
}

/** `{ specifier: names }` for every entry of a package's `exports` map that has a source file. */
function entriesOf(pkg) {
  const out = []
  for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? { '.': './dist/index.js' })) {
    const js = typeof target === 'string' ? target : (target.default ?? target.import)
    if (typeof js !== 'string' || !js.endsWith('.js')) continue
    const src = join(pkg.dir, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'))
    if (!existsSync(src)) continue
    out.push({
      specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      names: exportedNames(src),
    })
  }
  return out
}

function sourceFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/**
 * The ```ts blocks of every `@example` in a file, with the line each starts on. `isPublic(name)`
 * says whether an exported declaration is part of the package's API: examples of internal helpers
 * (exported between modules, not from the package) are skipped, as they use internal names.
 */
export function examplesIn(text, isPublic = () => true) {
  const found = []
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const after = text.slice(comment.index + comment[0].length, comment.index + comment[0].length + 200)
    const declared =
      /^\s*export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([\w$]+)/.exec(
        after,
      )?.[1]
    if (declared !== undefined && !isPublic(declared)) continue
    const lines = comment[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
    const startLine = text.slice(0, comment.index).split('\n').length
    let inExample = false
    for (let i = 0; i < lines.length; i++) {
      if (/^@example\b/.test(lines[i])) inExample = true
      else if (/^@\w/.test(lines[i])) inExample = false
      if (!inExample || !/^```(ts|typescript)\s*$/.test(lines[i].trim())) continue
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```')
      if (end === -1) break
      found.push({ code: lines.slice(i + 1, end).join('\n'), line: startLine + i + 1 })
      i = end
    }
  }
  return found
}

/** Whether `specifier`'s package is installed for code in `dir` (a builtin counts). */
function installed(specifier, dir) {
  if (specifier.startsWith('node:')) return true
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0]
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name))) return true
    if (dirname(d) === d) return false
  }
}

/**
 * An import of a package the project does not have (an alias such as `ky1` in a test setup) becomes
 * `declare const` of the names it imports: the rest of the example is still checked.
 */
function importOrStandIn(line, dir) {
  const specifier = /from\s+['"]([^'"]+)['"]/.exec(line)?.[1]
  if (specifier === undefined || installed(specifier, dir)) return [line]
  const names = [
    ...[
      ...(/\{([^}]*)\}/.exec(line)?.[1] ?? '').matchAll(/(?:^|,)\s*(?:type\s+)?(?:[\w$]+\s+as\s+)?([\w$]+)/g),
    ].map((m) => m[1]),
    ...[...line.matchAll(/^import\s+(?:type\s+)?(?:\*\s+as\s+)?([\w$]+)/g)].map((m) => m[1]),
  ]
  return names.map((n) => `declare const ${n}: any // ${specifier} is not installed here`)
}

/** One example as a module: imports hoisted, the rest in a function after the preamble. */
function moduleFor(example, entries, dir) {
  // `{ ..., timeoutMs }` and `f(a, ...)` are the docs' way of saying "and the rest": any value.
  const lines = example.code.replace(/\.\.\.(?=\s*[,)}\]])/g, '...({} as any)').split('\n')
  const imports = lines.filter((l) => /^import\s/.test(l))
  const body = lines.filter((l) => !/^import\s/.test(l))
  // Names the example imports itself are left out of the preamble.
  const taken = new Set(
    imports.flatMap((l) => [
      ...[...(/\{([^}]*)\}/.exec(l)?.[1] ?? '').matchAll(/([\w$]+)\s*(?:,|$)/g)].map((m) => m[1]),
      ...[...l.matchAll(/^import\s+(?:type\s+)?(?:\*\s+as\s+)?([\w$]+)/g)].map((m) => m[1]),
    ]),
  )
  const preamble = []
  for (const { specifier, names } of entries) {
    const fresh = [...names].filter((n) => !taken.has(n))
    fresh.forEach((n) => taken.add(n))
    if (fresh.length > 0) preamble.push(`import { ${fresh.join(', ')} } from '${specifier}'`)
  }
  for (const [name, type] of Object.entries(FREE_NAMES))
    if (!taken.has(name)) preamble.push(`declare const ${name}: ${type}`)
  for (const name of ANY_NAMES) if (!taken.has(name)) preamble.push(`declare const ${name}: any`)
  // In a function: its declarations shadow the preamble's, and `return` and `await` are allowed.
  const ownImports = imports.flatMap((l) => importOrStandIn(l, dir))
  return [
    ...preamble,
    ...ownImports,
    'export {}',
    'async function example() {',
    body.join('\n'),
    '}',
    '',
  ].join('\n')
}

/**
 * Writes every example of the given packages into `dir` as `<folder>-<file>-<line>.mts`; returns
 * how many were written and where each came from.
 */
export function writeExamples(dir, packages) {
  mkdirSync(dir, { recursive: true })
  const core = packages.find((p) => p.folder === 'core')
  const coreEntries = core ? entriesOf(core) : []
  const written = []
  for (const pkg of packages) {
    const entries = pkg.folder === 'core' ? coreEntries : [...entriesOf(pkg), ...coreEntries]
    const own = new Set(entriesOf(pkg).flatMap((e) => [...e.names]))
    for (const file of sourceFiles(join(pkg.dir, 'src'))) {
      for (const example of examplesIn(readFileSync(file, 'utf8'), (name) => own.has(name))) {
        const source = `${relative(ROOT, file)}:${example.line}`
        const name = `${pkg.folder}-${relative(join(pkg.dir, 'src'), file).replace(/[/.]/g, '_')}-${example.line}.mts`
        writeFileSync(join(dir, name), `// ${source}\n${moduleFor(example, entries, dir)}`)
        written.push({ name, source })
      }
    }
  }
  return written
}

// Standalone: check against the workspace's built packages.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(ROOT, 'node_modules/.cache/apptoken-examples')
  rmSync(dir, { recursive: true, force: true })
  const written = writeExamples(join(dir, 'examples'), publicPackages())
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(dir, join(ROOT, 'scripts/packaging/consumer/tsconfig.json')),
      compilerOptions: { skipLibCheck: true, noUnusedLocals: false },
      include: ['examples/*.mts'],
    }),
  )
  const tsc = await run(process.execPath, [join(BIN, 'tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir })
  const errors = tsc.output.split('\n').filter((l) => /error TS\d+/.test(l))
  for (const line of errors) {
    const file = /examples\/([^(]+)\(/.exec(line)?.[1]
    const from = written.find((w) => w.name === file)?.source
    console.log(from ? `${from}: ${line.replace(/^.*?error /, 'error ')}` : line)
  }
  console.log(`${written.length} @example blocks, ${errors.length} type errors`)
  process.exit(errors.length === 0 ? 0 : 1)
}
