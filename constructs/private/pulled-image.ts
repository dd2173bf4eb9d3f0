import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import type { Construct } from 'constructs';

/**
 * The `docker_image` a component pulls. Kept on destroy: public images are shared by every
 * environment on the host, and removing one another environment's container still uses
 * would fail the destroy.
 */
export function pulledImage(scope: Construct, name: string): Image {
  return new Image(scope, 'image', { name, keepLocally: true });
}
