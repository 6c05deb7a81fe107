import { describe, expect, it } from 'vitest'
import { createProgress } from '../src/progress.js'

function stream(isTTY: boolean) {
  const writes: string[] = []
  return { writes, isTTY, columns: 100, write: (text: string) => writes.push(text) }
}

describe('createProgress', () => {
  it('draws a bar on a terminal when the total is known, and replaces it with the final line', () => {
    const out = stream(true)
    const progress = createProgress(out, 'users')
    progress.update(100, 400, 1, 100)
    progress.update(400, 400, 4, 100)
    progress.finish('400 users in 4 pages')
    expect(out.writes).toEqual([
      `\r\x1b[K  users ▕${'█'.repeat(8)}${'░'.repeat(22)}▏ 100/400 · page 1`,
      `\r\x1b[K  users ▕${'█'.repeat(30)}▏ 400/400 · page 4`,
      '\r\x1b[K  400 users in 4 pages\n',
    ])
  })

  it('spins and counts on a terminal when the server gives no total', () => {
    const out = stream(true)
    createProgress(out, 'users').update(100, undefined, 1, 100)
    expect(out.writes).toEqual(['\r\x1b[K  users ⠋ 100 so far · page 1'])
  })

  it('writes one plain line per page elsewhere (pipes, CI logs)', () => {
    const out = stream(false)
    const progress = createProgress(out, 'users')
    progress.update(100, 120, 1, 100)
    progress.update(120, undefined, 2, 20)
    progress.finish('120 users in 2 pages')
    expect(out.writes).toEqual([
      '  page 1: 100 users (100 of 120 so far)\n',
      '  page 2: 20 users (120 so far)\n',
      '  120 users in 2 pages\n',
    ])
  })
})
