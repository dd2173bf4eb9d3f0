/** A file a construct puts into a container (the docker provider's `upload` block). */
export interface ContainerFile {
  /** Absolute path of the file inside the container. */
  readonly path: string;
  /** Its exact text content. */
  readonly content: string;
}
