// `--break=<fault>`: rehearse with a deliberate release mistake made in the temp copy (never in
// the repo), to see the rehearsal fail and what it says. The three mistakes issue 21 names.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { commitAll } from './workspace-copy.mjs'

/** fault -> what it does, for --help and the log. */
export const FAULTS = {
  'fixed-group': 'list the fixed group by name in .changeset/config.json, leaving the last package out',
  files: 'drop "dist" from the "files" of @apptoken/axios',
  'peer-range': "raise @apptoken/axios's axios peer range above the oldest version its tests run against",
}

/**
 * @param {string} repo the temp copy
 * @param {keyof typeof FAULTS} fault
 * @param {import('../packaging/lib.mjs').PublicPackage[]} packages
 * @param {import('../packaging/peer-ranges.mjs').PeerReport[]} peers
 */
export async function applyFault(repo, fault, packages, peers) {
  const edit = (file, change) => {
    const path = join(repo, file)
    const json = JSON.parse(readFileSync(path, 'utf8'))
    change(json)
    writeFileSync(path, JSON.stringify(json, null, 2) + '\n')
  }
  if (fault === 'fixed-group') {
    edit('.changeset/config.json', (config) => {
      config.fixed = [packages.slice(0, -1).map((p) => p.name)]
    })
  } else if (fault === 'files') {
    edit('packages/axios/package.json', (m) => {
      m.files = m.files.filter((f) => !/^\.?\/?dist\/?$/.test(f))
    })
  } else if (fault === 'peer-range') {
    const report = peers.find((r) => r.pkg === '@apptoken/axios' && r.peer === 'axios')
    if (report?.oldest === undefined) throw new Error('no tested axios version to exclude')
    edit('packages/axios/package.json', (m) => {
      m.peerDependencies.axios = `>${report.oldest} <2`
    })
  } else throw new Error(`unknown fault "${fault}": one of ${Object.keys(FAULTS).join(', ')}`)
  await commitAll(repo, `rehearsal fault: ${fault}`)
}
