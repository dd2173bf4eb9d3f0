/**
 * The bench's tracing cases (issue 15): the cached read and POST /orders with tracing on, at
 * 100%, at the default sampling ratio and sampling nothing, against a local OTLP/HTTP receiver, each compared
 * with the same case with tracing off (`get-user-cached`, `post-orders`: logging on in all).
 * The traced services run from their builds with the register module (the image's CMD),
 * protocol `http/protobuf` (the default) and the SDK's default batch settings.
 */
import type autocannon from 'autocannon';
import { OtlpReceiver } from '../testing/otlp-receiver.js';
import type { ServerProcess } from '../testing/processes.js';
import { startBuiltService } from '../testing/traced-services.js';

export interface TracingCase {
  readonly name: string;
  readonly description: string;
  readonly options: autocannon.Options;
  readonly servers: readonly ServerProcess[];
}

export interface TracingBench {
  readonly cases: readonly TracingCase[];
  /** [name, numerator, denominator, goal] as run.ts's ratio table takes them; no goal (report only). */
  readonly ratios: ReadonlyArray<[string, string, string, number]>;
  /** Spans' export requests the receiver answered, for the report. */
  exportRequests(): number;
  close(): Promise<void>;
}

export interface TracingBenchSetup {
  /** Environment of every service (Redis, key prefix, environment). */
  readonly common: Readonly<Record<string, string>>;
  /** LOG_LEVEL/LOG_FILE for a service's logs under this label. */
  readonly logged: (label: string) => Readonly<Record<string, string>>;
  readonly usersDatabaseUrl: string;
  readonly ordersDatabaseUrl: string;
  /** `GET` path of the cached user, and the POST /orders body for it. */
  readonly userPath: string;
  readonly ordersPath: string;
  readonly orderBody: string;
  /** Node flags of every server (profiling). */
  readonly nodeArgs: readonly string[];
  /** Registers a started server so run.ts stops it. */
  readonly track: (server: ServerProcess) => ServerProcess;
}

/**
 * The tracing levels measured: every request, the default (OTEL_TRACES_SAMPLER unset), and
 * none sampled (instrumented, nothing recorded: what tracing costs before any span is kept).
 */
const LEVELS = [
  { suffix: 'traced-100', label: 'tracing 100%', env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
  { suffix: 'traced-default', label: 'tracing at the default ratio', env: {} },
  { suffix: 'traced-0', label: 'tracing on, nothing sampled', env: { OTEL_TRACES_SAMPLER: 'parentbased_always_off' } },
] as const;

export async function startTracingBench(setup: TracingBenchSetup): Promise<TracingBench> {
  const receiver = await OtlpReceiver.start();
  const cases: TracingCase[] = [];
  const ratios: Array<[string, string, string, number]> = [];
  try {
    for (const level of LEVELS) {
      const otel = { ...setup.common, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, ...level.env };
      const users = setup.track(
        await startBuiltService('user-service', {
          label: `user-service (${level.label})`,
          nodeArgs: setup.nodeArgs,
          env: { ...otel, ...setup.logged(`user-service-${level.suffix}`), DATABASE_URL: setup.usersDatabaseUrl },
        }),
      );
      const orders = setup.track(
        await startBuiltService('order-service', {
          label: `order-service (${level.label})`,
          nodeArgs: setup.nodeArgs,
          env: { ...otel, ...setup.logged(`order-service-${level.suffix}`), DATABASE_URL: setup.ordersDatabaseUrl, USER_SERVICE_URL: users.baseUrl },
        }),
      );
      // Read once, so this replica's in-process tier holds the user, as for get-user-cached.
      const read = await fetch(`${users.baseUrl}${setup.userPath}`);
      await read.arrayBuffer();
      if (read.status !== 200) throw new Error(`GET ${setup.userPath} on ${users.name} answered ${read.status}`);
      cases.push(
        {
          name: `get-user-cached-${level.suffix}`,
          description: `get-user-cached with ${level.label} (OTLP http/protobuf to a local receiver)`,
          options: { url: `${users.baseUrl}${setup.userPath}` },
          servers: [users],
        },
        {
          name: `post-orders-${level.suffix}`,
          description: `post-orders with ${level.label} in both services`,
          options: { url: `${orders.baseUrl}${setup.ordersPath}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: setup.orderBody },
          servers: [orders, users],
        },
      );
      ratios.push(
        [`${level.label} / off (cached read)`, `get-user-cached-${level.suffix}`, 'get-user-cached', 0],
        [`${level.label} / off (POST /orders)`, `post-orders-${level.suffix}`, 'post-orders', 0],
      );
    }
  } catch (error) {
    await receiver.close();
    throw error;
  }
  return { cases, ratios, exportRequests: () => receiver.requests, close: () => receiver.close() };
}
