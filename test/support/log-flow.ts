import { parse as parseYaml } from 'yaml';
import { LOGSTASH_ENV, logstashFiles, LOGSTASH_PIPELINE_DIR, renderFilebeatConfig } from '../../pipelines/index.js';
import { SERVICES } from '@platform/contract';
import { filebeatEvent, type FilestreamInputConfig } from './logstash-grammar/filebeat-event.js';
import { checkLogstashPipeline } from './logstash-grammar/parse.js';
import { beatsInputEvent, simulatePipeline, type SimulationResult } from './logstash-grammar/simulate.js';

/**
 * The platform's log flow for one line, end to end as far as it can run here:
 * the rendered filebeat.yml's input for the file -> Filebeat's ndjson handling ->
 * the beats input -> the real platform-logs.conf (simulated) -> what the
 * elasticsearch output sends, and to which data stream.
 */
export interface LogFlow {
  readonly environment: string;
  /** The filestream input whose paths match `path` (throws when none or several do). */
  inputFor(path: string): FilestreamInputConfig & { paths: string[] };
  /** Ships `line`, read from `path`, through Filebeat and the pipeline. */
  ship(line: string, path: string, offset?: number): SimulationResult;
  /** Runs a beats event that did not come from the platform's Filebeat inputs through the pipeline. */
  runBeatsEvent(event: Record<string, unknown>): SimulationResult;
}

function globMatches(glob: string, path: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^${pattern}$`).test(path);
}

export function logFlow(environment = 'dev', env: Partial<Record<string, string>> = {}): LogFlow {
  const filebeat = parseYaml(
    renderFilebeatConfig({ services: SERVICES, environment, logstashHosts: ['logstash:5044'], caCertificatePath: '/ca.crt' }),
  ) as { 'filebeat.inputs': Array<FilestreamInputConfig & { paths: string[] }> };
  const pipelineFile = logstashFiles().find((f) => f.path === `${LOGSTASH_PIPELINE_DIR}/platform-logs.conf`)!;
  const pipeline = checkLogstashPipeline(pipelineFile.content, pipelineFile.path);
  const logstashEnv: Record<string, string> = {
    [LOGSTASH_ENV.elasticsearchHosts]: 'https://elasticsearch:9200',
    [LOGSTASH_ENV.writerUsername]: 'logstash_writer',
    [LOGSTASH_ENV.writerPassword]: 'not-a-real-password',
    [LOGSTASH_ENV.elasticsearchCaPath]: '/usr/share/logstash/config/certs/ca.crt',
    [LOGSTASH_ENV.beatsCertificatePath]: '/usr/share/logstash/config/certs/logstash.crt',
    [LOGSTASH_ENV.beatsKeyPath]: '/usr/share/logstash/config/certs/logstash.key',
    [LOGSTASH_ENV.platformEnvironment]: environment,
    ...(env as Record<string, string>),
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete logstashEnv[name];
  // Logstash substitutes every reference when it loads the pipeline and refuses to start on an unset one.
  for (const [, name] of pipelineFile.content.matchAll(/\$\{([^}:]+)(?::[^}]*)?\}/g)) {
    if (logstashEnv[name!] === undefined && !new RegExp(`\\$\\{${name}:`).test(pipelineFile.content)) {
      throw new Error(`Cannot evaluate \`\${${name}}\`: environment variable ${name} is not set; Logstash would not start`);
    }
  }

  const inputFor = (path: string) => {
    const matching = filebeat['filebeat.inputs'].filter((input) => input.paths.some((glob) => globMatches(glob, path)));
    if (matching.length !== 1) throw new Error(`${matching.length} Filebeat inputs read ${path}: ${matching.map((i) => i.id).join(', ')}`);
    return matching[0]!;
  };
  return {
    environment,
    inputFor,
    ship: (line, path, offset = 0) => simulatePipeline(pipeline, beatsInputEvent(filebeatEvent(line, inputFor(path), path, offset)), logstashEnv),
    runBeatsEvent: (event) => simulatePipeline(pipeline, beatsInputEvent(event), logstashEnv),
  };
}
