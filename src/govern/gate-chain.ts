// Several gate checks as one (govern() step 2 takes one): the first refusal wins, in the order given.
import type { GateCheck, GateRefusal, GovernanceRequest } from '../core/governance.js';

export function gateChain(...gates: GateCheck[]): GateCheck {
  return {
    check(req: GovernanceRequest): GateRefusal | null {
      for (const g of gates) {
        const r = g.check(req);
        if (r) return r;
      }
      return null;
    },
  };
}
