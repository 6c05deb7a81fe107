import { packageBuild } from '../../tsdown.base.ts'

// Two entries: the v3 client never loads Kiota; `@apptoken/graph/kiota` is the Kiota-based SDK's.
export default packageBuild({ entry: ['src/index.ts', 'src/kiota.ts'], external: [/^@microsoft\//, /^@apptoken\//] })
