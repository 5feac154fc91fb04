import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, SkygearError } from '../../core/errors';
import type { HttpHandlerRequest, HttpHandlerResponse } from '../../core/actions';
import type { Logger } from '../../core/log';
import type { RecordJSON } from '../../store/codec/record-json';
import type { PluginContext } from '../context';
import { canonicalHeaders } from '../headers';
import { HOOK_TRIGGERS, type HookCall, type HookTrigger } from '../../store/record-hooks';
import type { InitPayload } from '../init-payload';
import type { PluginRegistry } from '../registry';
import { envelope, postEnvelope } from './envelope';

/**
 * One out-of-process plugin (skygear-node, py-skygear…) reached over the Skygear plugin HTTP transport:
 * PLUGINS=NAME, NAME_TRANSPORT=http, NAME_PATH=<url>. It runs the per-plugin part of the startup
 * sequence (Part B §2.3), turns the `init` answer (§2.4) into registry entries whose `invoke` POSTs
 * the envelope, and delivers lifecycle events.
 */

export interface HttpPluginOptions {
  registry: PluginRegistry;
  log: Logger;
  /** Bound on each request-originated call (lambda, hook, handler) and on each init attempt. */
  timeoutMs: number;
  /** Pause between init attempts (Go: 2 s). */
  retryMs?: number;
  /** Init attempts before giving up (Go panics after 100). */
  maxInitTries?: number;
}

export type HttpPluginState = 'uninitialized' | 'initialized' | 'error';

export class HttpPlugin {
  state: HttpPluginState = 'uninitialized';
  private readonly log: Logger;

  constructor(readonly name: string, readonly url: string, private readonly opts: HttpPluginOptions) {
    this.log = opts.log.child({ plugin: name });
  }

  /** before-config, init (retried until it answers a registration), after-config. */
  async initialize(payload: InitPayload, signal: AbortSignal): Promise<void> {
    await this.sendEvent('before-config', payload, signal);
    const maxTries = this.opts.maxInitTries ?? 100;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      this.state = 'uninitialized';
      try {
        const result = await postEnvelope(this.url, envelope('event', 'init', payload), { timeoutMs: this.opts.timeoutMs, signal });
        this.register(parseRegistration(result));
        this.state = 'initialized';
        break;
      } catch (err) {
        signal.throwIfAborted();
        this.state = 'error';
        if (attempt >= maxTries) throw new Error(`plugin ${this.name} at ${this.url} did not initialize after ${attempt} tries: ${(err as Error).message}`);
        this.log.warn({ attempt, err: (err as Error).message }, 'plugin init failed; retrying');
        await sleep(this.opts.retryMs ?? 2000, undefined, { signal });
      }
    }
    this.log.info('plugin initialized');
    await this.sendEvent('after-config', payload, signal);
  }

  /** Lifecycle events: the result is ignored and a failure is only logged, as in Go. */
  async sendEvent(name: string, param: unknown, signal?: AbortSignal): Promise<void> {
    try {
      await postEnvelope(this.url, envelope('event', name, param), { signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.log.warn({ event: name, err: (err as Error).message }, 'plugin event failed');
    }
  }

  private call(kind: 'op' | 'hook' | 'handler', name: string, param: unknown, context: PluginContext): Promise<unknown> {
    return postEnvelope(this.url, envelope(kind, name, param, context), { timeoutMs: this.opts.timeoutMs });
  }

  private register(reg: Registration): void {
    const { registry } = this.opts;
    const plugin = this.name;
    for (const op of reg.op) {
      registry.addOp({
        plugin,
        name: op.name,
        keyRequired: op.key_required === true,
        userRequired: op.user_required === true,
        invoke: (body, context) => this.call('op', op.name, body, context),
      });
    }
    for (const hook of reg.hook) {
      registry.addHook({
        plugin,
        name: hook.name,
        trigger: hook.trigger,
        recordType: hook.type,
        async: hook.async === true,
        afterCommit: hook.trigger === 'afterSave' || hook.trigger === 'afterDelete',
        invoke: (call, context) => this.runHook(hook.name, call, context),
      });
    }
    for (const handler of reg.handler) {
      registry.addHandler(
        {
          plugin,
          name: handler.name,
          keyRequired: handler.key_required === true,
          userRequired: handler.user_required === true,
          invoke: (req, context) => this.runHandler(handler.name, req, context),
        },
        handler.methods,
      );
    }
    for (const timer of reg.timer) {
      registry.addTimer({
        plugin,
        name: timer.name,
        spec: timer.spec,
        invoke: () => postEnvelope(this.url, envelope('timer', timer.name)),
      });
    }
    for (const provider of reg.provider) registry.addProvider({ plugin, type: provider.type ?? 'auth', id: provider.id });
    for (const dropped of reg.dropped) this.log.warn(dropped, 'plugin registration entry ignored');
  }

  /** Go parses every hook answer as a record; only a beforeSave answer is used. */
  private async runHook(name: string, call: HookCall, context: PluginContext): Promise<RecordJSON | undefined> {
    const result = await this.call('hook', name, { record: call.record, original: call.original }, context);
    if (call.trigger !== 'beforeSave') return undefined;
    if (typeof result !== 'object' || result === null || typeof (result as RecordJSON)._id !== 'string') {
      throw new SkygearError('failed to unmarshal record returned by the plugin hook', ErrorCodes.UnexpectedError);
    }
    return result as RecordJSON;
  }

  /** §3.4: the body travels as standard base64; the answer is `{status, header, body}`. */
  private async runHandler(name: string, req: HttpHandlerRequest, context: PluginContext): Promise<HttpHandlerResponse> {
    const param: Record<string, unknown> = {
      status: 0,
      method: req.method,
      path: req.path,
      header: canonicalHeaders(req.headers),
      body: req.body.toString('base64'),
    };
    if (req.queryString) param.query_string = req.queryString;
    const result = (await this.call('handler', name, param, context)) as { status?: unknown; header?: unknown; body?: unknown } | null;
    const status = result?.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
      throw new SkygearError(`plugin handler ${name} answered an invalid HTTP status: ${String(status)}`, ErrorCodes.UnexpectedError);
    }
    const headers: Record<string, string[]> = {};
    if (result?.header && typeof result.header === 'object') {
      for (const [key, value] of Object.entries(result.header as Record<string, unknown>)) {
        headers[key] = (Array.isArray(value) ? value : [value]).map(String);
      }
    }
    const body = typeof result?.body === 'string' ? Buffer.from(result.body, 'base64') : Buffer.alloc(0);
    return { status, headers, body };
  }
}

interface Registration {
  op: Array<{ name: string; key_required?: unknown; user_required?: unknown }>;
  hook: Array<{ name: string; type: string; trigger: HookTrigger; async?: unknown }>;
  handler: Array<{ name: string; methods: string[]; key_required?: unknown; user_required?: unknown }>;
  timer: Array<{ name: string; spec: string }>;
  provider: Array<{ id: string; type?: string }>;
  /** Entries Go would drop or choke on, kept for a warning each. */
  dropped: Array<{ kind: string; entry: unknown; reason: string }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * The `init` result (§2.4). Anything but an object fails the attempt (Go cannot decode it, e.g. the
 * array skygear-node sends when cloud code adds its own `init` event). Malformed entries are dropped
 * with a warning; hooks with an unknown trigger are dropped, as Go does.
 */
export function parseRegistration(result: unknown): Registration {
  if (!isObject(result)) throw new Error(`init answered ${Array.isArray(result) ? 'an array' : typeof result}, expected the registration object`);
  const reg: Registration = { op: [], hook: [], handler: [], timer: [], provider: [], dropped: [] };
  const list = (kind: string): unknown[] => (Array.isArray(result[kind]) ? (result[kind] as unknown[]) : []);
  const drop = (kind: string, entry: unknown, reason: string) => reg.dropped.push({ kind, entry, reason });

  for (const e of list('op')) {
    if (isObject(e) && nonEmpty(e.name)) reg.op.push(e as Registration['op'][number]);
    else drop('op', e, 'no name');
  }
  for (const e of list('hook')) {
    if (!isObject(e) || !nonEmpty(e.name) || !nonEmpty(e.type)) drop('hook', e, 'no name or record type');
    else if (!(HOOK_TRIGGERS as readonly unknown[]).includes(e.trigger)) drop('hook', e, `unknown trigger ${String(e.trigger)}`);
    else reg.hook.push(e as Registration['hook'][number]);
  }
  for (const e of list('handler')) {
    const methods = isObject(e) && Array.isArray(e.methods) ? e.methods.filter(nonEmpty) : [];
    if (!isObject(e) || !nonEmpty(e.name) || methods.length === 0) drop('handler', e, 'no name or methods');
    else reg.handler.push({ ...(e as Registration['handler'][number]), methods });
  }
  for (const e of list('timer')) {
    if (isObject(e) && nonEmpty(e.name) && nonEmpty(e.spec)) reg.timer.push(e as Registration['timer'][number]);
    else drop('timer', e, 'no name or spec');
  }
  for (const e of list('provider')) {
    if (isObject(e) && nonEmpty(e.id)) reg.provider.push(e as Registration['provider'][number]);
    else drop('provider', e, 'no id');
  }
  return reg;
}
