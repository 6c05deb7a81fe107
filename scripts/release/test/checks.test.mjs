// The rehearsal's verdicts on crafted input: the real repo's manifests and config pass, and each
// release mistake issue 21 names fails with a message naming the package and what is wrong.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, publicPackages } from '../../packaging/lib.mjs'
import {
  checkChangelog,
  checkFixedGroup,
  checkInstalledVersions,
  checkPublished,
  checkSameVersion,
  checkShippedFiles,
  parseChangeset,
} from '../checks.mjs'

const config = JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8'))
const packages = publicPackages()
const names = packages.map((p) => p.name)
const axios = packages.find((p) => p.name === '@apptoken/axios').manifest
const tested = { axios: ['1.8.4', '1.21.1'] }

/** What `npm view <name>@<version> --json` shows for a manifest published as it is. */
function viewOf(manifest, version = manifest.version) {
  return { ...manifest, version, 'dist-tags': { latest: version }, dist: { integrity: 'sha512-x' } }
}

describe('checkFixedGroup (.changeset/config.json)', () => {
  it('passes the repo: every public package in the "@apptoken/*" group', () => {
    expect(names.length).toBeGreaterThanOrEqual(8)
    expect(checkFixedGroup(config, names)).toEqual([])
  })

  it('names a package missing from the fixed group', () => {
    const listed = { ...config, fixed: [names.filter((n) => n !== '@apptoken/redis')] }
    const problems = checkFixedGroup(listed, names)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^@apptoken\/redis is not in the "fixed" group of \.changeset\/config\.json/)
  })

  it('names every package when there is no fixed group, and a split group', () => {
    expect(checkFixedGroup({ fixed: [] }, ['@apptoken/core', '@apptoken/ky'])).toEqual([
      expect.stringMatching(/^@apptoken\/core is not in the "fixed" group/),
      expect.stringMatching(/^@apptoken\/ky is not in the "fixed" group/),
    ])
    const split = { fixed: [['@apptoken/core'], ['@apptoken/ky']] }
    expect(checkFixedGroup(split, ['@apptoken/core', '@apptoken/ky'])).toEqual([
      expect.stringMatching(/split over 2 "fixed" groups/),
    ])
  })

  it('matches globs the way changesets does ("*" does not cross a "/")', () => {
    expect(checkFixedGroup({ fixed: [['@apptoken/*']] }, ['@apptoken/core'])).toEqual([])
    expect(checkFixedGroup({ fixed: [['@apptoken*']] }, ['@apptoken/core'])).toHaveLength(1)
  })
})

describe('checkShippedFiles (the installed package)', () => {
  const files = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']

  it('passes a package that ships what its exports name', () => {
    expect(checkShippedFiles('@apptoken/axios', axios, files)).toEqual([])
  })

  it('names the package and the "files" entry when dist/ is dropped', () => {
    const broken = { ...axios, files: ['README.md', 'CHANGELOG.md', 'LICENSE'] }
    const shipped = files.filter((f) => !f.startsWith('dist/'))
    expect(checkShippedFiles('@apptoken/axios', broken, shipped)).toEqual([
      `@apptoken/axios@${axios.version} as installed has no dist/index.d.ts, dist/index.js (named by "exports"): its package.json "files" (["README.md","CHANGELOG.md","LICENSE"]) does not ship dist/`,
    ])
  })

  it('says the build is incomplete when dist/ ships without an exported file', () => {
    const [problem] = checkShippedFiles('@apptoken/axios', axios, files.slice(0, -1))
    expect(problem).toMatch(/^@apptoken\/axios@.* has no dist\/index\.d\.ts .*: its build is incomplete$/)
  })
})

describe('checkPublished (npm view --json against package.json)', () => {
  const version = '0.9.0'
  const manifest = { ...axios, version, dependencies: { '@apptoken/core': version } }

  it('passes every public package published as its package.json says', () => {
    for (const { name, manifest: m } of packages) {
      const at = { ...m, version, dependencies: { ...m.dependencies } }
      for (const dep of Object.keys(at.dependencies))
        if (dep.startsWith('@apptoken/')) at.dependencies[dep] = version
      expect(checkPublished({ name, version, view: viewOf(at), manifest: at, tested: {} })).toEqual([])
    }
  })

  it('names the package, the peer and the tested version a peer range excludes', () => {
    const view = viewOf({ ...manifest, peerDependencies: { axios: '>1.8.4 <2' } })
    const problems = checkPublished({ name: '@apptoken/axios', version, view, manifest: view, tested })
    expect(problems).toEqual([
      '@apptoken/axios@0.9.0 peerDependencies.axios ">1.8.4 <2" excludes axios 1.8.4, which the tests run against: users on it get a peer conflict',
    ])
  })

  it('names fields missing from or different in the registry', () => {
    const view = viewOf(manifest)
    delete view.exports
    view.engines = { node: '>=18' }
    view.license = undefined
    const problems = checkPublished({ name: '@apptoken/axios', version, view, manifest, tested })
    expect(problems).toEqual([
      '@apptoken/axios@0.9.0 was published without "exports"',
      `@apptoken/axios@0.9.0 "engines" is {"node":">=18"} in the registry but ${JSON.stringify(axios.engines)} in package.json`,
      '@apptoken/axios@0.9.0 was published without "license"',
    ])
  })

  it('names a wrong version, dist-tag, internal dependency, and a package not in the registry', () => {
    const view = { ...viewOf(manifest, '0.8.0'), dependencies: { '@apptoken/core': '0.8.0' } }
    expect(checkPublished({ name: '@apptoken/axios', version, view, manifest, tested })).toEqual([
      '@apptoken/axios: the registry serves 0.8.0, expected 0.9.0',
      '@apptoken/axios: dist-tag "latest" is 0.8.0, expected 0.9.0',
      '@apptoken/axios@0.9.0 depends on @apptoken/core@0.8.0, not the lockstep version 0.9.0',
    ])
    expect(checkPublished({ name: '@apptoken/ky', version, view: undefined, manifest, tested })).toEqual([
      '@apptoken/ky@0.9.0 is not in the registry (npm view found nothing): was it published?',
    ])
  })
})

describe('checkSameVersion / checkInstalledVersions', () => {
  it('names a package left behind by the fixed group', () => {
    const published = [
      { name: '@apptoken/core', version: '0.2.1' },
      { name: '@apptoken/testing', version: '0.2.0' },
    ]
    expect(checkSameVersion(published, '0.2.1')).toEqual([
      '@apptoken/testing is at 0.2.0 in the registry, not 0.2.1 like the rest of the fixed group',
    ])
  })

  it('checks every copy in a consumer lock file, nested ones too, against the served tarball', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/@apptoken/core': { version: '0.2.1', integrity: 'sha512-core' },
        'node_modules/@apptoken/axios': { version: '0.2.1', integrity: 'sha512-axios' },
        'node_modules/@apptoken/axios/node_modules/@apptoken/core': { version: '0.2.0', integrity: 'x' },
      },
    }
    const integrity = { '@apptoken/core': 'sha512-core', '@apptoken/axios': 'sha512-other' }
    expect(checkInstalledVersions(lock, { ...integrity, '@apptoken/ky': undefined }, '0.2.1')).toEqual([
      'node_modules/@apptoken/axios/node_modules/@apptoken/core is 0.2.0, expected 0.2.1',
      'node_modules/@apptoken/axios 0.2.1 is not the tarball the registry serves (integrity differs)',
      '@apptoken/ky is not installed in the consumer project',
    ])
  })
})

describe('changesets and CHANGELOG.md', () => {
  it('parses every pending changeset of the repo', () => {
    const dir = join(ROOT, '.changeset')
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      const { releases, summary } = parseChangeset(readFileSync(join(dir, file), 'utf8'))
      expect(releases.length, file).toBeGreaterThan(0)
      for (const r of releases) expect(names, file).toContain(r.name)
      expect(summary.length, file).toBeGreaterThan(20)
    }
    expect(parseChangeset('---\n\'@apptoken/core\': patch\n"@apptoken/ky": minor\n---\n\nFix it.\n')).toEqual(
      {
        releases: [
          { name: '@apptoken/core', type: 'patch' },
          { name: '@apptoken/ky', type: 'minor' },
        ],
        summary: 'Fix it.',
      },
    )
  })

  it("finds each changeset's entry under the new version, and names what is missing", () => {
    const changelog =
      '# @apptoken/core\n\n## 0.2.1\n\n### Patch Changes\n\n- abc1234: Fix it.\n\n## 0.2.0\n\n- Old entry.\n'
    expect(checkChangelog('@apptoken/core', changelog, '0.2.1', ['Fix it.\n\nMore words.'])).toEqual([])
    expect(checkChangelog('@apptoken/core', changelog, '0.2.1', ['Old entry.'])).toEqual([
      '@apptoken/core: CHANGELOG.md "## 0.2.1" lacks the changeset entry "Old entry."',
    ])
    expect(checkChangelog('@apptoken/core', changelog, '0.3.0', [])).toEqual([
      '@apptoken/core: CHANGELOG.md has no "## 0.3.0" section',
    ])
    expect(checkChangelog('@apptoken/core', undefined, '0.3.0', [])).toEqual([
      '@apptoken/core has no CHANGELOG.md',
    ])
  })
})
