import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUILD_CONTEXT, REPO_ROOT, SERVICE_DOCKERFILE, SERVICE_IMAGE_BUILDER, serviceDockerfilePath } from '../../constructs/fastify-service.js';
import { defaultImage } from '../../constructs/images.js';
import { SERVICES } from '@platform/contract';
import { ENVIRONMENTS, resolveEnvironmentConfig } from '../../stacks/config/index.js';
import { synthPlatform } from '../support/platform-harness.js';

interface BuiltImage {
  name: string;
  build?: { builder?: string; context: string; dockerfile: string; build_args?: Record<string, string>; label?: Record<string, string>; labels?: unknown };
  triggers?: Record<string, string>;
  lifecycle?: { create_before_destroy?: boolean };
}

const builtImages = (settings = ENVIRONMENTS.dev) => {
  const platform = synthPlatform('dev', settings);
  const images = Object.values(platform.tf.resource.docker_image!) as unknown as BuiltImage[];
  return { platform, built: images.filter((i) => i.build) };
};

describe('service images', () => {
  const { platform, built } = builtImages();
  const config = resolveEnvironmentConfig('dev', ENVIRONMENTS.dev);

  it('one built image per service, all from services/Dockerfile with SERVICE=<name>', () => {
    expect(built.map((i) => i.build!.build_args!.SERVICE).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    for (const image of built) expect(image.build!.dockerfile).toBe(serviceDockerfilePath(image.build!.context));
  });

  it('build through BuildKit with the daemon\'s own builder (works with the containerd image store on or off)', () => {
    for (const image of built) expect(image.build!.builder, image.name).toBe(SERVICE_IMAGE_BUILDER);
    expect(SERVICE_IMAGE_BUILDER).toBe('default');
    // The buildx path maps `label` only; `labels` would be dropped silently.
    for (const image of built) {
      expect(image.build!.label).toEqual({ 'io.platform.service': image.build!.build_args!.SERVICE });
      expect(image.build!.labels).toBeUndefined();
    }
  });

  it('context and Dockerfile are both relative to Terraform\'s working directory and reach the repository\'s files from there', () => {
    const terraformCwd = join(REPO_ROOT, 'cdktf.out', 'stacks', 'dev-platform');
    for (const image of built) {
      expect(image.build!.context).toBe(DEFAULT_BUILD_CONTEXT);
      expect(resolve(terraformCwd, image.build!.context)).toBe(resolve(REPO_ROOT));
      // Resolved against the cwd (as docker/cli and buildx do), not against the context.
      expect(resolve(terraformCwd, image.build!.dockerfile)).toBe(join(REPO_ROOT, SERVICE_DOCKERFILE));
      expect(existsSync(resolve(terraformCwd, image.build!.dockerfile))).toBe(true);
    }
  });

  it('the base image is the `node` component: default, mirror and override all apply (build arg NODE_IMAGE)', () => {
    for (const image of built) expect(image.build!.build_args!.NODE_IMAGE).toBe(defaultImage('node', config.elasticVersion));
    const mirrored = builtImages({ ...ENVIRONMENTS.dev, images: { registryMirror: 'mirror.internal:5000/hub' } }).built;
    for (const image of mirrored) expect(image.build!.build_args!.NODE_IMAGE).toBe(`mirror.internal:5000/hub/library/${defaultImage('node', config.elasticVersion)}`);
    const overridden = builtImages({ ...ENVIRONMENTS.dev, images: { registryMirror: 'mirror.internal:5000/hub', overrides: { node: 'registry.example.com/node:24.19.0-alpine3.24' } } }).built;
    for (const image of overridden) expect(image.build!.build_args!.NODE_IMAGE).toBe('registry.example.com/node:24.19.0-alpine3.24');
  });

  it('passes NPM_REGISTRY only when images.npmRegistry is set', () => {
    for (const image of built) expect(image.build!.build_args).not.toHaveProperty('NPM_REGISTRY');
    const withRegistry = builtImages({ ...ENVIRONMENTS.dev, images: { npmRegistry: 'https://npm.mirror.internal/' } }).built;
    for (const image of withRegistry) expect(image.build!.build_args!.NPM_REGISTRY).toBe('https://npm.mirror.internal/');
  });

  it('a different build (base image, npm registry) gets a different tag, so create-before-destroy never removes the new image by name', () => {
    const tagOf = (images: BuiltImage[], service: string) => images.find((i) => i.build!.build_args!.SERVICE === service)!.name;
    const other = builtImages({ ...ENVIRONMENTS.dev, images: { overrides: { node: 'node:24.19.0-bookworm-slim' } } }).built;
    const registry = builtImages({ ...ENVIRONMENTS.dev, images: { npmRegistry: 'https://npm.mirror.internal/' } }).built;
    for (const service of SERVICES) {
      const tags = new Set([tagOf(built, service.name), tagOf(other, service.name), tagOf(registry, service.name)]);
      expect(tags.size, service.name).toBe(3);
    }
    for (const image of built) expect(image.name.endsWith(image.triggers!.build_sha256!.slice(0, 12))).toBe(true);
  });

  it('the new image is built before the old one and its containers are destroyed (create_before_destroy); the containers are replaced in place (fixed names)', () => {
    for (const image of built) expect(image.lifecycle?.create_before_destroy, image.name).toBe(true);
    const containers = Object.values(platform.tf.resource.docker_container!) as { name: string; image: string; lifecycle?: { create_before_destroy?: boolean } }[];
    const serviceContainers = containers.filter((c) => /\$\{docker_image\.[^}]*\.image_id\}/.test(c.image) && SERVICES.some((s) => c.name.includes(s.name)));
    expect(serviceContainers.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const container of serviceContainers) expect(container.lifecycle?.create_before_destroy, container.name).toBeUndefined();
  });
});
