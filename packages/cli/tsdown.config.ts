import { packageBuild } from '../../tsdown.base.ts'

// The library (runCli, for embedding and tests) and the `apptoken` bin.
export default packageBuild({ entry: ['src/index.ts', 'src/cli.ts'] })
