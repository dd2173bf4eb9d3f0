// pino-roll ships no type declarations; this covers the part of its API the kit uses.
declare module 'pino-roll' {
  import type { SonicBoom } from 'sonic-boom';

  export interface PinoRollOptions {
    /** Base path; pino-roll writes `<base>.<n><extension>`. */
    file: string;
    /** Size that triggers a roll: a number of MB or a string such as `10m`, `512k`. */
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    mkdir?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    sync?: boolean;
    /** Passed to SonicBoom: buffer this many bytes before writing (asynchronous mode). */
    minLength?: number;
    /** Passed to SonicBoom: flush the buffer every this many milliseconds. */
    periodicFlush?: number;
  }

  /** The SonicBoom pino-roll returns; `file` is the file currently written (it changes on every roll). */
  export interface RollingFileStream extends SonicBoom {
    readonly file: string | null;
    readonly destroyed: boolean;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<RollingFileStream>;
}
