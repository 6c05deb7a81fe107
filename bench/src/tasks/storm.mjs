/**
 * Child task: a 401 storm. The token the client holds is revoked at the authority, then
 * `concurrency` requests go out at once; each is answered 401 and must recover with a new token.
 * Reports the token requests the authority saw and the time until every request succeeded.
 *
 * apptoken: the axios adapter (force-refresh on 401, coalesced, one retry).
 * msal: what msal users write by hand: on 401, acquire again with `skipCache` and retry once.
 */
import { SCOPE } from '../config.mjs'
import { createContender } from '../contenders.mjs'
import { timeMs } from '../harness.mjs'

export async function storm({ contender: name, env, apiUrl, concurrency }, rpc) {
  const { default: axios } = await import('axios')
  const contender = await createContender(name, env)
  // axios' default validateStatus: a 401 rejects, which is where the adapter's retry lives.
  const http = axios.create({ baseURL: apiUrl })
  const status = (request) =>
    request.then(
      (res) => res.status,
      (error) => error.response?.status ?? String(error.code ?? error),
    )
  let call
  if (name === 'apptoken') {
    const { attachAppToken } = await import('@apptoken/axios')
    attachAppToken(http, contender.provider, { scopes: SCOPE })
    call = () => status(http.get('/api/todolist'))
  } else {
    const bearer = (token) => ({ headers: { Authorization: `Bearer ${token.accessToken}` } })
    call = async () => {
      const first = await status(http.get('/api/todolist', bearer(await contender.getDefault())))
      if (first !== 401) return first
      return status(http.get('/api/todolist', bearer(await contender.refresh())))
    }
  }
  const current = async () => (await contender.getDefault()).accessToken

  const first = await call()
  if (first !== 200) throw new Error(`${name}: the first API call answered ${first}`)
  await rpc('revoke', await current())
  const before = await rpc('tokenRequests')
  const { ms, value: statuses } = await timeMs(() => Promise.all(Array.from({ length: concurrency }, call)))
  const after = await rpc('tokenRequests')
  await contender.close()
  const counts = {}
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1
  return { tokenRequests: after - before, recoverMs: ms, statuses: counts }
}
