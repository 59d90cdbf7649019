// Wraps govern() so temporary caps (LimitOverlay) merge into the obligations of allowed decisions, most
// restrictive wins. The gate already refuses routes a cap sends to a fallback; this adds the limits.
import type { Decision, GovernanceRequest, GovernInput, Governor } from '../core/governance.js';
import { mergeObligations, type LimitOverlay } from './caps.js';

export function withCaps(inner: Governor, overlay: LimitOverlay & { list(): unknown[] }): Governor {
  return {
    async govern(input: GovernInput): Promise<Decision> {
      const d = await inner.govern(input);
      if (d.effect !== 'allow' || overlay.list().length === 0) return d;
      const req: GovernanceRequest = {
        action: input.action,
        subject: { user: input.subject.user, roles: [], groups: [], app: input.subject.app, appVersion: input.subject.appVersion },
        resource: { type: input.resource.type, id: input.resource.id, attributes: input.resource.attributes ?? {} },
        request: input.request ?? {},
      };
      const hit = overlay.limitsFor(req);
      if (!hit) return d;
      return { ...d, obligations: mergeObligations(d.obligations, hit.obligations), warnings: [...d.warnings, hit.reason] };
    },
  };
}
