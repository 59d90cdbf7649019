// The data-flow map's model: edges app → model/dataset/connector/host declared by manifests, beside those seen in
// the last 24 h of decisions, with declared-but-unused and observed-but-undeclared edges marked.

export type NodeKind = 'model' | 'dataset' | 'connector' | 'host';

export interface FlowEdge {
  app: string;
  kind: NodeKind;
  target: string;
  declared: boolean;
  /** Decisions about this edge in the window (allowed and refused). */
  observed: number;
  refused: number;
  status: 'declared, used' | 'declared, unused' | 'observed, undeclared';
}

export interface ManifestSpec {
  models?: { id: string }[];
  data?: { dataset: string }[];
  connectors?: { id: string }[];
  egress?: string[];
}

export interface ObservedDecision {
  app: string | null;
  effect: string;
  resource: { type: string; id: string };
}

const KINDS: readonly string[] = ['model', 'dataset', 'connector', 'host'];

export function declaredEdges(app: string, spec: ManifestSpec): { app: string; kind: NodeKind; target: string }[] {
  return [
    ...(spec.models ?? []).map((m) => ({ app, kind: 'model' as const, target: m.id })),
    ...(spec.data ?? []).map((d) => ({ app, kind: 'dataset' as const, target: d.dataset })),
    ...(spec.connectors ?? []).map((c) => ({ app, kind: 'connector' as const, target: c.id })),
    ...(spec.egress ?? []).map((h) => ({ app, kind: 'host' as const, target: h })),
  ];
}

/** Joins declared edges of `apps` with what decisions show; decisions of other apps are ignored. */
export function flowEdges(
  declared: readonly { app: string; kind: NodeKind; target: string }[],
  decisions: readonly ObservedDecision[],
  apps: ReadonlySet<string>,
): FlowEdge[] {
  const key = (app: string, kind: string, target: string) => `${app}\u0000${kind}\u0000${target}`;
  const edges = new Map<string, FlowEdge>();
  for (const d of declared)
    edges.set(key(d.app, d.kind, d.target), {
      ...d,
      declared: true,
      observed: 0,
      refused: 0,
      status: 'declared, unused',
    });
  for (const d of decisions) {
    if (!d.app || !apps.has(d.app) || !KINDS.includes(d.resource.type)) continue;
    const k = key(d.app, d.resource.type, d.resource.id);
    let e = edges.get(k);
    if (!e) {
      e = {
        app: d.app,
        kind: d.resource.type as NodeKind,
        target: d.resource.id,
        declared: false,
        observed: 0,
        refused: 0,
        status: 'observed, undeclared',
      };
      edges.set(k, e);
    }
    e.observed++;
    if (d.effect !== 'allow') e.refused++;
    if (e.declared) e.status = 'declared, used';
  }
  return [...edges.values()].sort(
    (a, b) => a.app.localeCompare(b.app) || a.kind.localeCompare(b.kind) || a.target.localeCompare(b.target),
  );
}
