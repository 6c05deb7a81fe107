// The peer matrix outside the package suites: the peer ranges against the tested versions, then
// the packed packages installed with the oldest and with the newest tested peers, quick starts
// run (see consumer-test.mjs). --registry also asks the registry for each peer's latest version,
// to show whether the newest tested is still the newest published.
// Usage: node scripts/packaging/matrix.mjs [--registry] [--keep]
import { consumerTest } from './consumer-test.mjs'
import { indent, publicPackages, removeDir, run, seconds, tempDir } from './lib.mjs'
import { packAll } from './pack.mjs'
import { checkPeerRanges } from './peer-ranges.mjs'

const keep = process.argv.includes('--keep')
const ready = publicPackages().filter((p) => p.ready)
const peers = checkPeerRanges(ready)
let failures = 0

console.log('Peer ranges and tested versions')
for (const r of peers) {
  let latest = ''
  if (process.argv.includes('--registry')) {
    const view = await run('npm', ['view', r.peer, 'version', '--loglevel=error'])
    latest = view.code === 0 ? `; registry latest ${view.output.trim()}` : ''
  }
  const ok = r.problems.length === 0
  if (!ok) failures++
  console.log(
    `  ${ok ? 'PASS' : 'FAIL'} ${r.pkg} -> ${r.peer} "${r.range}": tested ${r.tested.join(', ') || 'none'}${latest}`,
  )
  if (!ok) console.log(indent(r.problems.map((p) => `- ${p}`).join('\n'), '       '))
}

const work = await tempDir('matrix')
const packed = (await packAll(ready, work)).filter((p) => p.tarball !== undefined)
for (const kind of ['oldest', 'latest']) {
  const { dir, steps } = await consumerTest({ kind, packed, peers })
  console.log(`\nConsumer projects, ${kind} peers (${dir})`)
  for (const s of steps) {
    if (!s.ok) failures++
    console.log(`  ${s.ok ? 'PASS' : 'FAIL'} ${s.name} (${seconds(s.ms)})`)
    if (!s.ok && s.detail) console.log(indent(s.detail, '       '))
  }
  if (!keep) await removeDir(dir)
}
if (!keep) await removeDir(work)
console.log(failures === 0 ? '\nPeer matrix passed.' : `\nPeer matrix FAILED: ${failures} failing.`)
process.exitCode = failures === 0 ? 0 : 1
