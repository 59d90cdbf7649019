// Exports each checkpoint as it is made: appended to a witness file (JSON lines) and/or POSTed to a witness URL.
import { appendFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { sendWebhook } from '../notify/webhook-sender.js';
import type { Logger } from '../core/logger.js';

export interface WitnessOptions {
  home: string;
  /** File for `{"checkpoint": "<note>"}` lines; relative paths are inside home. */
  file?: string;
  /** URL that receives each note as a text/plain POST, in order. */
  url?: string;
  logger: Logger;
}

export class Witness {
  private readonly path?: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WitnessOptions) {
    if (opts.file) this.path = isAbsolute(opts.file) ? opts.file : join(opts.home, opts.file);
  }

  get enabled(): boolean {
    return Boolean(this.path || this.opts.url);
  }

  /** Records a committed checkpoint. Never throws: a witness being down must not stop the log (it is logged). */
  record(note: string): void {
    if (this.path) {
      try {
        appendFileSync(this.path, JSON.stringify({ checkpoint: note }) + '\n', { mode: 0o644 });
      } catch (err) {
        this.opts.logger.warn('audit witness file not written', { file: this.path, error: (err as Error).message });
      }
    }
    const url = this.opts.url;
    if (url) {
      // Chained so the witness sees checkpoints in the order they were made; not awaited by appenders.
      this.chain = this.chain.then(async () => {
        const out = await sendWebhook(
          { url, body: note, contentType: 'text/plain; charset=utf-8' },
          { retries: 2, timeoutMs: 5000, backoffMs: 200 },
        );
        if (!out.ok)
          this.opts.logger.warn('audit witness URL did not take a checkpoint', {
            url,
            attempts: out.attempts,
            error: out.error,
          });
      });
    }
  }

  /** Resolves once every checkpoint so far has been offered to the witness URL. */
  async flush(): Promise<void> {
    await this.chain;
  }
}
