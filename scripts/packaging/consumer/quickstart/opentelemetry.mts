// @apptoken/opentelemetry README quick start: instrumentApptoken() with the global providers, and
// the span and metrics it records for one token request and one cache hit.
import assert from 'node:assert/strict'
import { metrics, trace } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { instrumentApptoken } from '@apptoken/opentelemetry'
import { scopes, startStandIns } from '../support.mjs'

// What an app's OpenTelemetry setup does once at startup: register the global providers.
const spans = new InMemorySpanExporter()
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

const { provider, close } = await startStandIns()
try {
  const stop = instrumentApptoken()
  await provider.getToken(scopes)
  await provider.getToken(scopes) // a cache hit: counted, no span
  assert.deepEqual(
    spans.getFinishedSpans().map((s) => s.name),
    ['apptoken token_request'],
  )
  await reader.forceFlush()
  const names = exporter
    .getMetrics()
    .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)))
  assert.ok(
    names.includes('apptoken.token.requests') && names.includes('apptoken.cache.lookups'),
    names.join(),
  )
  stop() // on shutdown, after the last export: the observed counters stop with it
} finally {
  await close()
}
