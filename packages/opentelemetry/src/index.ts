export { instrumentApptoken } from './instrument.js'
export type { InstrumentApptokenOptions } from './instrument.js'
export { METRIC, ATTR, INSTRUMENTATION_NAME } from './names.js'
