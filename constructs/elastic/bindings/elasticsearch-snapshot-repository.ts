import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** Settings every repository type shares (only those this project sets are exposed). */
interface SnapshotRepositoryCommon {
  /** `compress`: compress metadata files (mappings, settings). Provider default `true`. */
  readonly compress?: boolean;
  /** `max_snapshot_bytes_per_sec`: per-node snapshot rate. Provider default `40mb`. */
  readonly maxSnapshotBytesPerSec?: string;
  /** `max_restore_bytes_per_sec`: per-node restore rate. */
  readonly maxRestoreBytesPerSec?: string;
  /** `readonly`. Provider default `false`. */
  readonly readonly?: boolean;
}

/** `fs` block: a shared filesystem every master and data node mounts. */
export interface SnapshotRepositoryFs extends SnapshotRepositoryCommon {
  /** `location`: a directory under a `path.repo` of every node (forces replacement). */
  readonly location?: string;
  /** `max_number_of_snapshots`. Provider default 500. */
  readonly maxNumberOfSnapshots?: number;
}

/** `s3` block: an S3 (or S3-compatible) bucket; credentials come from the named client's keystore settings. */
export interface SnapshotRepositoryS3 extends SnapshotRepositoryCommon {
  /** `bucket` (forces replacement). */
  readonly bucket?: string;
  /** `base_path`: key prefix of the repository in the bucket. */
  readonly basePath?: string;
  /** `client`: the `s3.client.<name>.*` settings to use. Provider default `default`. */
  readonly client?: string;
  /** `endpoint`: an http(s) URL of a non-default S3 service. */
  readonly endpoint?: string;
  /** `path_style_access`. */
  readonly pathStyleAccess?: boolean;
}

export interface ElasticsearchSnapshotRepositoryConfig extends TerraformMetaArguments {
  /** `name` (required, forces replacement). */
  readonly name: string;
  /** `verify`: check on create that every master and data node can use it. Provider default `true`. */
  readonly verify?: boolean;
  /** Exactly one type block is allowed (the provider's ExactlyOneOf); these bindings expose `fs` and `s3`. */
  readonly fs?: SnapshotRepositoryFs;
  readonly s3?: SnapshotRepositoryS3;
}

/** `elasticstack_elasticsearch_snapshot_repository`: PUT/GET/DELETE `_snapshot/<name>`. */
export class ElasticsearchSnapshotRepository extends ElasticstackResource<ElasticsearchSnapshotRepositoryConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_snapshot_repository';

  public constructor(scope: Construct, id: string, config: ElasticsearchSnapshotRepositoryConfig) {
    super(scope, id, ElasticsearchSnapshotRepository.tfResourceType, config);
  }

  /** `name` as a reference: a policy that writes here waits for the repository. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { name, verify, fs, s3 } = this.resourceConfig;
    const common = (c: SnapshotRepositoryCommon) => ({
      compress: c.compress,
      max_snapshot_bytes_per_sec: c.maxSnapshotBytesPerSec,
      max_restore_bytes_per_sec: c.maxRestoreBytesPerSec,
      readonly: c.readonly,
    });
    // `fs` and `s3` are "Block, Optional" (Plugin Framework single nested blocks): one object each.
    return definedOnly({
      name,
      verify,
      fs: fs ? definedOnly({ ...common(fs), location: fs.location, max_number_of_snapshots: fs.maxNumberOfSnapshots }) : undefined,
      s3: s3
        ? definedOnly({
            ...common(s3),
            bucket: s3.bucket,
            base_path: s3.basePath,
            client: s3.client,
            endpoint: s3.endpoint,
            path_style_access: s3.pathStyleAccess,
          })
        : undefined,
    });
  }
}
