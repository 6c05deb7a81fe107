import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

it('loads neither undici nor jose at import time', () => {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ load(url, context, next) { seen.push(url); return next(url, context) } })
    await import(${JSON.stringify(dist)})
    console.log(JSON.stringify(seen))`
  const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[]
  expect(loaded.some((u) => u.includes('/dist/index.js'))).toBe(true)
  expect(loaded.filter((u) => /\/(undici|jose)\//.test(u))).toEqual([])
})
