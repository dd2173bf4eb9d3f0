import type { Image } from '@cdktf/provider-docker/lib/image/index.js';
import type { Construct } from 'constructs';
import { defaultImage, type Component } from '../images.js';
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
