import type { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import type { Construct } from 'constructs';
import { defaultImage, type Component } from '../images.js';
import { platformLabels, type PlatformContext } from '../platform-context.js';
import { pulledImage } from './pulled-image.js';
import { wholeNumberProp, type WholeNumberRule } from './validation.js';

/** The props every single-container component takes alike. */
export interface ComponentBasicsProps {
  readonly alias?: string;
  readonly memoryMb?: number;
  readonly image?: string;
}

/** What such a component is built with: its network alias, validated memory limit and pulled image. */
export interface ComponentBasics {
  readonly alias: string;
  readonly memoryMb: number;
  readonly image: Image;
}

/**
 * Resolves a component's alias (default: the component's name), memory limit (default and
 * bounds from `memoryMb`, refused naming `memoryMb`) and image (default: its pinned image).
 */
export function componentBasics(
  scope: Construct,
  component: Component,
  props: ComponentBasicsProps,
  memoryMb: Omit<WholeNumberRule, 'unit'> & { readonly default: number },
): ComponentBasics {
  return {
    alias: props.alias ?? component,
    memoryMb: wholeNumberProp(scope, 'memoryMb', props.memoryMb, { ...memoryMb, unit: 'MiB' }),
    image: pulledImage(scope, props.image ?? defaultImage(component)),
  };
}

/** A stateful component's basics plus its data volume, `<namePrefix>-<component>-data` (kept by Docker until destroy). */
export function statefulComponentBasics(
  scope: Construct,
  component: Component,
  props: ComponentBasicsProps & { readonly context: PlatformContext },
  memoryMb: Omit<WholeNumberRule, 'unit'> & { readonly default: number },
): ComponentBasics & { readonly dataVolume: Volume } {
  const { context } = props;
  const dataVolume = new Volume(scope, 'data', { name: `${context.namePrefix}-${component}-data`, labels: platformLabels(context) });
  return { ...componentBasics(scope, component, props, memoryMb), dataVolume };
}
