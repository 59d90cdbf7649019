// Provider credentials per model, rotatable without a restart: sealed (AES-256-GCM) in the store with a key in
// GATEHOUSE_HOME, decrypted into memory, and reloaded on every replica when any replica sets or removes one.
// Precedence: GATEHOUSE_MODEL_KEY_<MODEL> (env) > the stored key (`gatehouse model key set`) > GATEHOUSE_HOME/model-keys/<model>.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogReader, ModelDoc } from '../catalog/catalog-schema.js';
import { NAME_RE } from '../catalog/names.js';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, NotFoundError, UnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { readOrCreateSealKey, seal, unseal } from '../core/sealed-box.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { SqlDb } from '../store/sql-db.js';

export const MODEL_KEYS_SEAL_FILE = 'model-keys.key';
const CHANNEL = 'gateway.model-keys';
const MAX_KEY_CHARS = 16_384;

export interface ModelKeyInfo {
  model: string;
  setBy: string;
  setAt: number;
  /** sha256 of the key, first 12 hex digits: tells keys apart, reveals nothing usable. */
  fingerprint: string;
  /** True when GATEHOUSE_MODEL_KEY_<MODEL> is set on this server: the env var wins over the stored key. */
  overriddenByEnv: boolean;
}

interface Row {
  model: string;
  sealed: string;
  fingerprint: string;
  set_by: string;
  set_at: number;
}

export const modelKeyEnvVar = (model: string) =>
  `GATEHOUSE_MODEL_KEY_${model.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
export const keyFingerprint = (key: string) => 'sha256:' + createHash('sha256').update(key).digest('hex').slice(0, 12);
/** Binds a sealed key to its model: a row copied onto another model does not authenticate. */
const aad = (model: string) => Buffer.from(`gatehouse model key v1\u0000${model}`);

export interface ModelKeysDeps {
  db: SqlDb;
  coord: Coordination;
  clock: Clock;
  home: string;
  env: Record<string, string | undefined>;
  audit: AuditSink;
  logger: Logger;
  /** Set refuses models the catalog does not list (a typo would otherwise store a key nothing uses). */
  catalog: CatalogReader;
  /** Re-reads the store on this timer so a replica that missed a broadcast converges (default 30 s; 0 = off). */
  reconcileMs?: number;
}

export class ModelKeys {
  private readonly plain = new Map<string, string>();
  /** Models whose stored key would not unseal: calls to them fail with this message instead of using no key. */
  private readonly broken = new Map<string, string>();
  private readonly files = new Map<string, string | null>();
  private sealKey: Buffer | undefined;
  private sealKeyError: string | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private reconciler: ReconcileLoop | undefined;

  constructor(private readonly d: ModelKeysDeps) {}

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = await this.d.coord.subscribe(CHANNEL, () => {
      this.files.clear();
      this.reload().catch((err: unknown) =>
        this.d.logger.warn('model keys not reloaded after a change; serving the previous keys', { err: String(err) }),
      );
    });
    this.reconciler = startReconcileLoop({
      everyMs: this.d.reconcileMs ?? 30_000,
      run: () => this.reload(),
      component: 'model-keys-reconcile',
      failure: 'model keys not reconciled from the store',
      logger: this.d.logger,
    });
  }

  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.unsubscribe?.();
  }

  /** The provider key for a model (hot path: memory only); throws when none is configured. */
  resolve(m: ModelDoc): string {
    const name = m.metadata.name;
    const varName = modelKeyEnvVar(name);
    const fromEnv = this.d.env[varName];
    if (fromEnv) return fromEnv;
    const stored = this.plain.get(name);
    if (stored) return stored;
    const broken = this.broken.get(name);
    if (broken) throw new UnavailableError(broken);
    const file = join(this.d.home, 'model-keys', name);
    let fromFile = this.files.get(name);
    if (fromFile === undefined) {
      fromFile = existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
      this.files.set(name, fromFile);
    }
    if (fromFile) return fromFile;
    throw new UnavailableError(
      `No provider key for model '${name}': run \`gatehouse model key set ${name}\` (or set ${varName} on the Gatehouse server).`,
    );
  }

  async set(model: string, key: string, actor: string): Promise<ModelKeyInfo> {
    if (!NAME_RE.test(model))
      throw new InvalidInputError(`model '${model.slice(0, 64)}' is not a valid model name.`, [
        { path: 'model', message: 'a catalog Model name' },
      ]);
    if (!this.d.catalog.model(model))
      throw new NotFoundError('Model', model, 'apply it to the catalog first with `gatehouse catalog apply`');
    const secret = key.trim();
    if (
      !secret ||
      secret.length > MAX_KEY_CHARS ||
      [...secret].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
    )
      throw new InvalidInputError(
        `The key for model '${model}' must be 1-${MAX_KEY_CHARS} printable characters on one line (the key itself is not echoed).`,
        [{ path: 'key', message: 'empty, too long or with control characters' }],
      );
    const sealKey = this.requireSealKey();
    const now = this.d.clock.now();
    const fingerprint = keyFingerprint(secret);
    const sealed = seal(sealKey, aad(model), secret);
    await this.d.db.transaction(async (tx) => {
      await tx.run('DELETE FROM gateway_model_keys WHERE model = ?', [model]);
      await tx.run(
        'INSERT INTO gateway_model_keys (model, sealed, fingerprint, set_by, set_at) VALUES (?, ?, ?, ?, ?)',
        [model, sealed, fingerprint, actor, now],
      );
    });
    this.plain.set(model, secret);
    this.broken.delete(model);
    await this.d.audit.append({ type: 'model-key.set', actor, data: { model, fingerprint } });
    await this.d.coord.publish(CHANNEL, model);
    return { model, setBy: actor, setAt: now, fingerprint, overriddenByEnv: this.overridden(model) };
  }

  async remove(model: string, actor: string): Promise<{ model: string; removed: boolean }> {
    const r = await this.d.db.run('DELETE FROM gateway_model_keys WHERE model = ?', [model]);
    if (r.changes === 0)
      throw new NotFoundError('Model key', model, 'list the stored keys with `gatehouse model key list`');
    this.plain.delete(model);
    this.broken.delete(model);
    await this.d.audit.append({ type: 'model-key.removed', actor, data: { model } });
    await this.d.coord.publish(CHANNEL, model);
    return { model, removed: true };
  }

  async list(): Promise<ModelKeyInfo[]> {
    const rows = await this.d.db.all<Row>(
      'SELECT model, sealed, fingerprint, set_by, set_at FROM gateway_model_keys ORDER BY model',
    );
    return rows.map((r) => ({
      model: r.model,
      setBy: r.set_by,
      setAt: Number(r.set_at),
      fingerprint: r.fingerprint,
      overriddenByEnv: this.overridden(r.model),
    }));
  }

  private overridden(model: string): boolean {
    return Boolean(this.d.env[modelKeyEnvVar(model)]);
  }

  private requireSealKey(): Buffer {
    if (!this.sealKey) throw new UnavailableError(this.sealKeyError ?? 'model keys are not loaded yet');
    return this.sealKey;
  }

  /** GATEHOUSE_MODEL_KEYS_SEAL_KEY (base64, 32 bytes: the same on every replica) or GATEHOUSE_HOME/model-keys.key. */
  private loadSealKey(haveRows: boolean): void {
    if (this.sealKey) return;
    const given = this.d.env.GATEHOUSE_MODEL_KEYS_SEAL_KEY;
    try {
      if (given) {
        const k = Buffer.from(given, 'base64');
        if (k.length !== 32)
          throw new UnavailableError(
            'GATEHOUSE_MODEL_KEYS_SEAL_KEY must be 32 bytes of base64 (openssl rand -base64 32).',
          );
        this.sealKey = k;
        return;
      }
      this.sealKey = readOrCreateSealKey(
        join(this.d.home, MODEL_KEYS_SEAL_FILE),
        'The stored model keys',
        !haveRows,
        'copy it from the replica that set them (every replica needs the same file, or the same GATEHOUSE_MODEL_KEYS_SEAL_KEY), or set the keys again.',
      );
    } catch (err) {
      this.sealKeyError = err instanceof Error ? err.message : String(err);
    }
  }

  async reload(): Promise<void> {
    const rows = await this.d.db.all<Row>('SELECT model, sealed, fingerprint, set_by, set_at FROM gateway_model_keys');
    this.loadSealKey(rows.length > 0);
    const plain = new Map<string, string>();
    const broken = new Map<string, string>();
    for (const r of rows) {
      if (!this.sealKey) {
        broken.set(r.model, `The stored provider key for model '${r.model}' cannot be read: ${this.sealKeyError}`);
        continue;
      }
      try {
        plain.set(r.model, unseal(this.sealKey, aad(r.model), r.sealed));
      } catch {
        broken.set(
          r.model,
          `The stored provider key for model '${r.model}' does not authenticate with this server's seal key (replicas must share ${MODEL_KEYS_SEAL_FILE} or GATEHOUSE_MODEL_KEYS_SEAL_KEY); set it again with \`gatehouse model key set ${r.model}\`.`,
        );
      }
    }
    for (const m of broken.keys())
      if (!this.broken.has(m)) this.d.logger.error('stored model key unreadable', { model: m });
    this.plain.clear();
    for (const [k, v] of plain) this.plain.set(k, v);
    this.broken.clear();
    for (const [k, v] of broken) this.broken.set(k, v);
  }
}
