import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { Container, type ContainerConfig } from '@cdktf/provider-docker/lib/container/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { PlatformStack } from '../../stacks/platform-stack.js';
import { ContainerPolicyAspect, containerPolicyViolations } from '../../stacks/policy-aspect.js';
import { createStacks } from '../../stacks/app.js';
import { validationFaults } from '../../stacks/validation-faults.js';

const BIND = '127.0.0.1';
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A container that meets every policy; each test breaks exactly one thing. */
const compliant: ContainerConfig = {
  name: 'probe',
  image: 'nginx:1.28.0-alpine3.21',
  memory: 64,
  healthcheck: { test: ['CMD', 'true'] },
  ports: [{ internal: 80, external: 8088, ip: BIND }],
};

/** Synthesizes a stack holding one container (built by `build`) with the policy aspect, as `cdktf synth` would. */
function synthWith(build: (stack: TerraformStack) => void): () => string {
  return () => {
    const stack = new TerraformStack(Testing.app(), 'policy');
    new DockerProvider(stack, 'docker', {});
    build(stack);
    Aspects.of(stack).add(new ContainerPolicyAspect(BIND));
    const outdir = Testing.fullSynth(stack);
    outdirs.push(outdir);
    return outdir;
  };
}

const withContainer = (overrides: Partial<ContainerConfig>) =>
  synthWith((stack) => new Container(stack, 'probe', { ...compliant, ...overrides }));

describe('container policy aspect', () => {
  it('lets a compliant container synthesize', () => {
    expect(withContainer({})).not.toThrow();
  });

  it('lets a container run a pinned docker_image of the same stack', () => {
    const synth = synthWith((stack) => {
      const image = new Image(stack, 'image', { name: 'postgres:17.6-alpine3.22' });
      new Container(stack, 'probe', { ...compliant, image: image.imageId });
    });
    expect(synth).not.toThrow();
  });

  it.each([
    ['"latest"', 'nginx:latest'],
    ['no tag', 'nginx'],
    ['a registry with a port but no tag', 'mirror.internal:5000/library/nginx'],
  ])('fails synth on an image with %s', (_, image) => {
    expect(withContainer({ image })).toThrow(new RegExp(`Container "probe" breaks policy "pinned-image": image "${image.replace(/[.]/g, '\\.')}" is not pinned`));
  });

  it('fails synth on a docker_image without a tag, followed through the reference', () => {
    const synth = synthWith((stack) => {
      const image = new Image(stack, 'image', { name: 'elk-dev-user-service' });
      new Container(stack, 'probe', { ...compliant, image: image.imageId });
    });
    expect(synth).toThrow(/Container "probe" breaks policy "pinned-image": image "elk-dev-user-service" is not pinned/);
  });

  it('fails synth on a container without a healthcheck', () => {
    expect(withContainer({ healthcheck: undefined })).toThrow(/Container "probe" breaks policy "healthcheck"/);
  });

  it('lets a one-shot container (attach, never restarted) go without a healthcheck when it checks its exit code', () => {
    const postcondition = [{ condition: '${self.exit_code == 0}', errorMessage: 'the step failed' }];
    expect(withContainer({ healthcheck: undefined, ports: undefined, attach: true, restart: 'no', mustRun: false, lifecycle: { postcondition } })).not.toThrow();
  });

  it('fails synth on a one-shot container that does not check its exit code, or one that restarts', () => {
    expect(withContainer({ healthcheck: undefined, attach: true, restart: 'no' })).toThrow(/breaks policy "healthcheck": a one-shot container \(attach\) must check self\.exit_code/);
    const postcondition = [{ condition: '${self.exit_code == 0}', errorMessage: 'x' }];
    expect(withContainer({ healthcheck: undefined, attach: true, restart: 'always', lifecycle: { postcondition } })).toThrow(/breaks policy "healthcheck": no healthcheck test is declared/);
  });

  it('fails synth on a healthcheck that is switched off', () => {
    expect(withContainer({ healthcheck: { test: ['NONE'] } })).toThrow(/Container "probe" breaks policy "healthcheck"/);
  });

  it('fails synth on a container without a memory limit', () => {
    expect(withContainer({ memory: undefined })).toThrow(/Container "probe" breaks policy "memory-limit"/);
  });

  it('fails synth on a port published on another address', () => {
    expect(withContainer({ ports: [{ internal: 80, external: 8088, ip: '0.0.0.0' }] })).toThrow(
      /Container "probe" breaks policy "published-ports": publishes 0\.0\.0\.0:8088->80; every published port must bind to 127\.0\.0\.1/,
    );
  });

  it('fails synth on a port without an address (Docker would bind every interface)', () => {
    expect(withContainer({ ports: [{ internal: 80, external: 8088 }] })).toThrow(/breaks policy "published-ports": publishes 0\.0\.0\.0 \(no ip set\)/);
  });

  it('fails synth on publish_all_ports and on host networking', () => {
    expect(withContainer({ publishAllPorts: true })).toThrow(/breaks policy "published-ports": publish_all_ports/);
    expect(withContainer({ networkMode: 'host' })).toThrow(/breaks policy "published-ports": network_mode "host"/);
  });

  it('reports every violation of a container at once', () => {
    let message = '';
    try {
      withContainer({ image: 'nginx', memory: undefined, healthcheck: undefined })();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const policy of ['pinned-image', 'healthcheck', 'memory-limit']) expect(message).toContain(`breaks policy "${policy}"`);
  });

  it('guards the platform stack: a container added to it that breaks a policy fails its synth', () => {
    // Validations (e.g. that each service's Dockerfile exists) are another test's concern;
    // error annotations fail synth with or without them.
    const app = () => {
      const outdir = mkdtempSync(join(tmpdir(), 'policy-'));
      outdirs.push(outdir);
      return new App({ outdir, skipValidation: true });
    };
    const fine = app();
    new PlatformStack(fine, 'dev-platform', { config: loadEnvironmentConfig('dev') });
    expect(() => fine.synth()).not.toThrow();

    const broken = app();
    const stack = new PlatformStack(broken, 'dev-platform', { config: loadEnvironmentConfig('dev') });
    new Container(stack, 'debug-shell', { ...compliant, name: 'elk-dev-debug', image: 'busybox:latest' });
    expect(() => broken.synth()).toThrow(/Container "elk-dev-debug" breaks policy "pinned-image"/);
  });

  it('guards the ingest stack\'s Metricbeat: it complies as shipped (docker metrics on or off), and a broken one fails naming it', () => {
    for (const config of [loadEnvironmentConfig('dev'), { ...loadEnvironmentConfig('dev'), monitoring: { dockerMetrics: true, memoryMb: 256 } }]) {
      const { ingest } = createStacks(Testing.app(), config);
      expect(containerPolicyViolations(ingest.metricbeat.container, config.bindAddress)).toEqual([]);
    }
    const app = Testing.app();
    const { ingest } = createStacks(app, loadEnvironmentConfig('dev'));
    ingest.metricbeat.container.resetMemory();
    ingest.metricbeat.container.resetHealthcheck();
    const faults = validationFaults(app).filter((f) => f.includes('breaks policy'));
    expect(faults).toEqual([
      expect.stringMatching(/^dev-ingest\/metricbeat\/container: Container "elk-dev-metricbeat" breaks policy "healthcheck": /),
      expect.stringMatching(/^dev-ingest\/metricbeat\/container: Container "elk-dev-metricbeat" breaks policy "memory-limit": /),
    ]);
  });

  it('lists each violation as one line starting with the container path, before synthesis (what main.ts prints)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'policy');
    new DockerProvider(stack, 'docker', {});
    new Container(stack, 'probe', { ...compliant, image: 'nginx', memory: undefined });
    new Container(stack, 'fine', { ...compliant, name: 'fine' });
    Aspects.of(stack).add(new ContainerPolicyAspect(BIND));
    const faults = validationFaults(app).filter((f) => f.includes('breaks policy'));
    expect(faults).toEqual([
      expect.stringMatching(/^policy\/probe: Container "probe" breaks policy "pinned-image": /),
      expect.stringMatching(/^policy\/probe: Container "probe" breaks policy "memory-limit": /),
    ]);
  });
});
