/** Turns the results into the targets verdict and a Markdown report (printed, and pasted in README). */

const MB = 1_000_000

const num = (v, digits = 3) => {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a'
  if (v === 0) return '0'
  const abs = Math.abs(v)
  if (abs >= 100) return Math.round(v).toLocaleString('en-US')
  return Number(v.toPrecision(digits)).toString()
}
const times = (v) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${num(v, v >= 10 ? 3 : 2)}×`)
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined)
const us = (v) => (v === undefined ? 'n/a' : `${num(v)} µs`)
const ms = (v) => (v === undefined ? 'n/a' : `${num(v)} ms`)
const bytes = (v) =>
  v === undefined ? 'n/a' : v >= MB ? `${num(v / MB)} MB` : v >= 1000 ? `${num(v / 1000)} kB` : `${num(v)} B`
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')

/** The adapter-overhead targets (issue 14): each adapter ÷ its client with a static header, both columns; ky ÷ ky with no-op hooks. */
export function evaluateAdapterTargets(r) {
  const targets = []
  const add = (name, goal, measured, met, gap) => targets.push({ name, goal, measured, met, gap })
  const adapterTargets = [
    ['axios', 'axios with the apptoken interceptor vs a static header', 0.97],
    ['got', 'got with appToken vs a static header', 0.97],
    ['fetch', 'fetch wrapped by withAppToken vs a static header', 0.97],
    ['undici', 'undici with appTokenInterceptor vs a static header', 0.97],
    ['ky (vs no-op hooks)', 'ky with appToken vs ky with no-op hooks of the same kinds', 0.98],
  ]
  for (const [client, what, target] of adapterTargets) {
    const t = r.throughput[client] ?? { na: 'not run' }
    const worst = t.na ? undefined : Math.min(t.ratioSeq, t.ratioConc)
    add(
      what,
      `≥ ${target}× (both)`,
      t.na
        ? `n/a (${t.na})`
        : `sequential ${t.ratioSeq.toFixed(3)}×, ${t.concurrency} concurrent ${t.ratioConc.toFixed(3)}×`,
      worst === undefined ? null : worst >= target,
      worst !== undefined && worst < target
        ? `${((target - worst) * 100).toFixed(1)} points short`
        : undefined,
    )
  }

  return targets
}

/** Each target of issue 9: met or not, with the measured figure and the gap. */
export function evaluateTargets(r) {
  const targets = []
  const add = (name, goal, measured, met, gap) => targets.push({ name, goal, measured, met, gap })
  const counts = Object.keys(r.cached).map(Number)

  const ratios = counts.map((n) => ({ n, v: ratio(r.cached[n].apptoken.usPerOp, r.cached[n].floor.usPerOp) }))
  const worst = ratios.reduce((a, b) => ((b.v ?? Infinity) > (a.v ?? -Infinity) ? b : a), ratios[0])
  add(
    'cached getToken within 3× of the floor (awaited Map lookup + expiry check), every cache size',
    '≤ 3×',
    `worst ${times(worst.v)} at ${plural(worst.n, 'tenant')} (${ratios.map((x) => `${x.n.toLocaleString('en-US')}: ${times(x.v)}`).join(', ')})`,
    worst.v !== undefined && worst.v <= 3,
    worst.v !== undefined && worst.v > 3 ? `${times(worst.v / 3)} over the target` : undefined,
  )

  // A bare Map lookup slows down too as the table outgrows the CPU caches; "flat" means growing no
  // faster than that floor (O(1)), where msal-node and identity grow with the cache (O(n)).
  const first = counts[0]
  const last = counts.at(-1)
  const growth = ratio(r.cached[last].apptoken.usPerOp, r.cached[first].apptoken.usPerOp)
  const floorGrowth = ratio(r.cached[last].floor.usPerOp, r.cached[first].floor.usPerOp)
  const relative = ratio(growth, floorGrowth)
  const msalGrowth = ratio(r.cached[last].msal.usPerOp, r.cached[first].msal.usPerOp)
  add(
    `cached getToken flat up to ${plural(last, 'tenant')} (grows no faster than the floor)`,
    "≤ 1.5× the floor's own growth",
    `${us(r.cached[first].apptoken.usPerOp)} → ${us(r.cached[last].apptoken.usPerOp)}: ${times(growth)}, the floor ${times(floorGrowth)}, so ${times(relative)} relative (msal-node ${times(msalGrowth)})`,
    relative !== undefined && relative <= 1.5,
    relative !== undefined && relative > 1.5 ? `${times(relative / 1.5)} over the target` : undefined,
  )

  const cold = r.cold.apptoken?.tokenRequests
  add(
    `token requests for ${r.cold.apptoken?.calls?.toLocaleString('en-US')} concurrent cold calls`,
    '1',
    String(cold ?? 'n/a'),
    cold === 1,
    cold !== 1 ? `${cold} requests` : undefined,
  )

  targets.push(...evaluateAdapterTargets(r))

  // Cached getToken with instrumentApptoken active (real OpenTelemetry SDKs), against apptoken with
  // no subscriber, in the same run: the worst cache size.
  const diag = Object.entries(r.diagnostics ?? {}).map(([n, row]) => ({
    n: Number(n),
    v: ratio(row['apptoken-otel']?.usPerOp, row.apptoken?.usPerOp),
  }))
  const diagWorst = diag.reduce((a, b) => ((b.v ?? Infinity) > (a?.v ?? -Infinity) ? b : a), diag[0])
  add(
    'cached getToken with instrumentApptoken within 2× of no subscriber',
    '≤ 2×',
    diagWorst === undefined
      ? 'n/a'
      : `worst ${times(diagWorst.v)} at ${plural(diagWorst.n, 'tenant')} (${diag.map((x) => `${x.n.toLocaleString('en-US')}: ${times(x.v)}`).join(', ')})`,
    diagWorst?.v === undefined ? null : diagWorst.v <= 2,
    diagWorst?.v !== undefined && diagWorst.v > 2 ? `${times(diagWorst.v / 2)} over the target` : undefined,
  )

  const imp = r.import.apptoken?.ms
  add(
    '@apptoken/core import time',
    '≤ 30 ms',
    ms(imp),
    imp !== undefined && imp <= 30,
    imp > 30 ? `${ms(imp - 30)} over` : undefined,
  )

  const inst = r.install.apptoken?.bytes
  add(
    '@apptoken/core install size (with its dependencies)',
    '≤ 3.5 MB',
    inst === undefined ? (r.install.skipped ?? r.install.error ?? 'n/a') : bytes(inst),
    inst === undefined ? null : inst <= 3.5 * MB,
    inst > 3.5 * MB ? `${bytes(inst - 3.5 * MB)} over` : undefined,
  )
  return targets
}

/**
 * Replicas going cold at once: token requests and time until every replica holds a token, for
 * apptoken on a shared Redis (standalone and Cluster) and for msal-node (one cache per replica).
 */
export function renderReplicas(rep) {
  const out = [
    `### Replicas going cold at once (median of ${rep.repeats}; each replica its own client, cache and provider)`,
    '',
  ]
  if (rep.na || rep.error) return `${out.join('\n')}n/a (${rep.na ?? rep.error})\n`
  const cell = (contender, topology, count) =>
    rep.rows.find((x) => x.contender === contender && x.topology === topology && x.count === count) ?? {}
  const show = (x) =>
    x.error
      ? `error: ${x.error.slice(0, 80)}`
      : `${num(x.tokenRequests)} req, ${ms(x.wallMs)}${x.everyReplicaServed ? '' : ' (NOT every replica served)'}`
  out.push(
    table(
      [
        'replicas',
        'apptoken + redisCache, standalone Redis',
        'apptoken + redisCache, Redis Cluster (3+3 nodes)',
        'msal-node (one cache per replica)',
        'msal-node ÷ apptoken (token requests)',
      ],
      rep.counts.map((n) => [
        num(n),
        show(cell('apptoken', 'standalone', n)),
        show(cell('apptoken', 'cluster', n)),
        show(cell('msal', 'none', n)),
        times(ratio(cell('msal', 'none', n).tokenRequests, cell('apptoken', 'cluster', n).tokenRequests)),
      ]),
    ),
  )
  out.push(
    '',
    '"req": token requests the authority saw; the time runs from the instant every replica is released until the last one holds a token.',
  )
  return `${out.join('\n')}\n`
}

/** The targets as a table: met or not, with the gap. */
function renderTargets(targets) {
  return table(
    ['target', 'goal', 'measured', 'met?'],
    targets.map((t) => [
      t.name,
      t.goal,
      t.measured,
      t.met === null ? 'not measured' : t.met ? 'met' : `NOT met${t.gap ? ` (${t.gap})` : ''}`,
    ]),
  )
}

export function renderReport(r) {
  if (r.checks.length === 0) {
    // A partial (--only) run: the JSON, the replicas table when it ran, the adapter targets when throughput ran.
    const out = [JSON.stringify(r, null, 2)]
    if (r.replicas?.rows) out.push('', renderReplicas(r.replicas).trimEnd())
    if (r.targets.length > 0) out.push('', '### Targets', '', renderTargets(r.targets))
    return `${out.join('\n')}\n`
  }
  const out = []
  const m = r.meta
  const counts = Object.keys(r.cached).map(Number)
  out.push(`## apptoken benchmark (${m.mode} run, ${m.date.slice(0, 10)})`, '')
  out.push(
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.platform}, Node ${m.node}. Versions: ${Object.entries(
      m.versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
  )

  out.push('### Cached getToken, µs per call (median; ratio to the awaited floor in parentheses)', '')
  out.push(
    table(
      [
        'tenants cached',
        'floor, sync',
        'floor, awaited',
        'apptoken',
        'msal-node',
        '@azure/identity',
        'msal-node ÷ apptoken',
        'identity ÷ apptoken',
      ],
      counts.map((n) => {
        const row = r.cached[n]
        const f = row.floor.usPerOp
        const cell = (c) =>
          row[c].usPerOp === undefined
            ? 'error'
            : `${us(row[c].usPerOp)} (${times(ratio(row[c].usPerOp, f))})`
        return [
          n.toLocaleString('en-US'),
          us(row.floor.syncUsPerOp),
          us(f),
          cell('apptoken'),
          cell('msal'),
          cell('identity'),
          times(ratio(row.msal.usPerOp, row.apptoken.usPerOp)),
          times(ratio(row.identity.usPerOp, row.apptoken.usPerOp)),
        ]
      }),
    ),
  )
  const one = r.cached[counts[0]]
  if (one?.apptoken.defaultUsPerOp !== undefined) {
    out.push(
      '',
      `Single-tenant call without options (\`getToken(scope)\`): floor ${us(one.floor.defaultUsPerOp)}, apptoken ${us(one.apptoken.defaultUsPerOp)} (${times(ratio(one.apptoken.defaultUsPerOp, one.floor.defaultUsPerOp))}), msal-node ${us(one.msal.defaultUsPerOp)}, @azure/identity ${us(one.identity.defaultUsPerOp)}.`,
    )
  }

  const diag = Object.entries(r.diagnostics ?? {})
  if (diag.length > 0) {
    out.push(
      '',
      '### Cached getToken with diagnostics_channel subscribers, µs per call (median; ratio to the awaited floor)',
      '',
    )
    out.push(
      table(
        [
          'tenants cached',
          'floor, awaited',
          ...(diag[0][1]['apptoken-baseline'] ? ['apptoken, baseline build'] : []),
          'apptoken, no subscriber',
          'apptoken + instrumentApptoken',
          'instrumented ÷ plain',
        ],
        diag.map(([n, row]) => {
          const f = row.floor.usPerOp
          const base = row['apptoken-baseline']
          return [
            Number(n).toLocaleString('en-US'),
            us(f),
            ...(base ? [`${us(base.usPerOp)} (${times(ratio(base.usPerOp, f))})`] : []),
            `${us(row.apptoken.usPerOp)} (${times(ratio(row.apptoken.usPerOp, f))})`,
            `${us(row['apptoken-otel'].usPerOp)} (${times(ratio(row['apptoken-otel'].usPerOp, f))})`,
            times(ratio(row['apptoken-otel'].usPerOp, row.apptoken.usPerOp)),
          ]
        }),
      ),
    )
  }

  out.push('', `### 1,000 concurrent cold calls (same tenant and scope, empty cache)`, '')
  const cold = (c) => r.cold[c] ?? {}
  out.push(
    table(
      ['', 'apptoken', 'msal-node', '@azure/identity', 'msal-node ÷ apptoken', 'identity ÷ apptoken'],
      [
        [
          'token requests seen by the authority',
          num(cold('apptoken').tokenRequests),
          num(cold('msal').tokenRequests),
          num(cold('identity').tokenRequests),
          times(ratio(cold('msal').tokenRequests, cold('apptoken').tokenRequests)),
          times(ratio(cold('identity').tokenRequests, cold('apptoken').tokenRequests)),
        ],
        [
          'other authority requests',
          kinds(cold('apptoken').otherRequests),
          kinds(cold('msal').otherRequests),
          kinds(cold('identity').otherRequests),
          '',
          '',
        ],
        [
          'wall time until all 1,000 resolved',
          ms(cold('apptoken').wallMs),
          ms(cold('msal').wallMs),
          ms(cold('identity').wallMs),
          times(ratio(cold('msal').wallMs, cold('apptoken').wallMs)),
          times(ratio(cold('identity').wallMs, cold('apptoken').wallMs)),
        ],
      ],
    ),
  )

  const h = r.heap
  out.push('', `### Memory and fill time at ${h.tenants.toLocaleString('en-US')} cached tenants`, '')
  const heapRow = (label, key) => [
    label,
    bytes(h.floor?.[key]),
    bytes(h.apptoken?.[key]),
    bytes(h.msal?.[key]),
    bytes(h.identity?.[key]),
    times(ratio(h.apptoken?.[key], h.floor?.[key])),
    times(ratio(h.msal?.[key], h.apptoken?.[key])),
    times(ratio(h.identity?.[key], h.apptoken?.[key])),
  ]
  const settle = h.settleMs > 0 ? `${h.settleMs / 1000} s` : undefined
  out.push(
    table(
      [
        '',
        'floor',
        'apptoken',
        'msal-node',
        '@azure/identity',
        'apptoken ÷ floor',
        'msal-node ÷ apptoken',
        'identity ÷ apptoken',
      ],
      [
        heapRow(
          settle ? `heap held per cached token (${settle} after the fill)` : 'heap held per cached token',
          'bytesPerToken',
        ),
        ...(settle ? [heapRow('heap per cached token right after the fill', 'bytesPerTokenAfterFill')] : []),
        [
          `time to fill (${h.tenants.toLocaleString('en-US')} token requests, 64 at a time, 20 ms latency)`,
          ms(h.floor?.fillMs),
          ms(h.apptoken?.fillMs),
          ms(h.msal?.fillMs),
          ms(h.identity?.fillMs),
          '',
          times(ratio(h.msal?.fillMs, h.apptoken?.fillMs)),
          times(ratio(h.identity?.fillMs, h.apptoken?.fillMs)),
        ],
      ],
    ),
  )

  out.push('', '### Import time and install size', '')
  const inst = (c) =>
    r.install[c]?.bytes === undefined ? (r.install.skipped ?? 'error') : bytes(r.install[c].bytes)
  out.push(
    table(
      [
        '',
        'apptoken (@apptoken/core)',
        'msal-node',
        '@azure/identity',
        'msal-node ÷ apptoken',
        'identity ÷ apptoken',
      ],
      [
        [
          'import (median of fresh processes)',
          ms(r.import.apptoken?.ms),
          ms(r.import.msal?.ms),
          ms(r.import.identity?.ms),
          times(ratio(r.import.msal?.ms, r.import.apptoken?.ms)),
          times(ratio(r.import.identity?.ms, r.import.apptoken?.ms)),
        ],
        [
          'install (node_modules of an empty project)',
          inst('apptoken'),
          inst('msal'),
          inst('identity'),
          times(ratio(r.install.msal?.bytes, r.install.apptoken?.bytes)),
          times(ratio(r.install.identity?.bytes, r.install.apptoken?.bytes)),
        ],
      ],
    ),
  )
  if (r.install.apptoken?.packages) {
    out.push(
      '',
      `@apptoken/core install: ${Object.entries(r.install.apptoken.packages)
        .map(([k, v]) => `${k} ${bytes(v)}`)
        .join(', ')}; tarball ${bytes(r.install.apptoken.tarballBytes)}.`,
    )
  }

  out.push('', '### HTTP client throughput against a loopback echo server, requests/s', '')
  out.push(
    table(
      [
        'client',
        'static header, sequential',
        'adapter, sequential',
        'adapter ÷ static',
        'static header, 50 concurrent',
        'adapter, 50 concurrent',
        'adapter ÷ static',
      ],
      Object.entries(r.throughput).map(([client, t]) =>
        t.na
          ? [client, `n/a (${t.na})`, '', '', '', '', '']
          : [
              client,
              num(t.staticSeq),
              num(t.adapterSeq),
              times(t.ratioSeq),
              num(t.staticConc),
              num(t.adapterConc),
              times(t.ratioConc),
            ],
      ),
    ),
  )
  if (r.throughput['axios A/A (static vs static)']?.ratioSeq !== undefined)
    out.push(
      '',
      'The A/A row puts two identical static-header axios clients in the two columns: how far a ratio strays when nothing differs.',
    )

  out.push(
    '',
    `### 401 storm: ${r.storm.apptoken?.concurrency ?? 50} concurrent requests, all answered 401 once (token revoked)`,
    '',
  )
  const s = (c) => r.storm[c] ?? {}
  const statuses = (x) =>
    x.statuses
      ? Object.entries(x.statuses)
          .map(([k, v]) => `${v}× ${k}`)
          .join(', ')
      : `n/a (${x.na ?? 'error'})`
  out.push(
    table(
      [
        '',
        'apptoken (axios adapter)',
        'msal-node (hand-written retry with skipCache)',
        'msal-node ÷ apptoken',
      ],
      [
        [
          'token requests',
          num(s('apptoken').tokenRequests),
          num(s('msal').tokenRequests),
          times(ratio(s('msal').tokenRequests, s('apptoken').tokenRequests)),
        ],
        [
          'time until all recovered',
          ms(s('apptoken').recoverMs),
          ms(s('msal').recoverMs),
          times(ratio(s('msal').recoverMs, s('apptoken').recoverMs)),
        ],
        ['final statuses', statuses(s('apptoken')), statuses(s('msal')), ''],
      ],
    ),
  )
  out.push('', `@azure/identity: ${r.storm.identity?.na ?? ''}; not measured.`)
  if (r.replicas?.rows) out.push('', renderReplicas(r.replicas).trimEnd())

  out.push('', '### Targets (issues 9 and 14)', '')
  out.push(renderTargets(r.targets))

  const failed = r.checks.filter((c) => !c.pass)
  out.push('', `### Checks`, '')
  out.push(
    failed.length === 0
      ? `All ${r.checks.length} checks passed (each contender made exactly one token request per tenant; msal-node made no discovery calls; every cold call got a token).`
      : failed.map((c) => `- FAILED: ${c.name}: ${c.detail}`).join('\n'),
  )
  out.push('')
  return `${out.join('\n')}\n`
}

function plural(n, word) {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
}

function kinds(k) {
  const entries = Object.entries(k ?? {})
  return entries.length === 0 ? 'none' : entries.map(([kind, n]) => `${n} ${kind}`).join(', ')
}
