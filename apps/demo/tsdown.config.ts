import { packageBuild } from '../../tsdown.base.ts'

// An application: no type declarations to publish.
export default packageBuild({ entry: ['src/main.ts'], dts: false })
