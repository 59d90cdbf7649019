// One host-side entry for guest capability calls, shared by all tiers: validate the method, parse the guest's JSON
// string once (so later guest mutations cannot change what was checked), run the bridge, answer with a JSON envelope.
import { CAPABILITY_METHODS, toGuestError, type Bridge, type CapabilityMethod } from './tier.js';

export const MAX_ARGS_BYTES = 1_000_000;

export async function hostCall(bridge: Bridge, method: unknown, argsJson: unknown): Promise<string> {
  try {
    if (typeof method !== 'string' || !(CAPABILITY_METHODS as readonly string[]).includes(method))
      throw new TypeError('unknown capability');
    if (typeof argsJson !== 'string') throw new TypeError('capability arguments must arrive as JSON text');
    if (argsJson.length > MAX_ARGS_BYTES)
      throw Object.assign(new Error(), {
        guest: { name: 'RangeError', message: `ctx.${method} arguments exceed ${MAX_ARGS_BYTES} bytes` },
      });
    const value = await bridge.call(method as CapabilityMethod, JSON.parse(argsJson));
    return JSON.stringify({ ok: true, value: value ?? null });
  } catch (err) {
    const guest = (err as { guest?: { name: string; message: string } }).guest;
    const shown = guest ?? (err instanceof TypeError ? { name: 'TypeError', message: err.message } : toGuestError(err));
    return JSON.stringify({ ok: false, error: shown });
  }
}
