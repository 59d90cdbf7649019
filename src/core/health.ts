// What is degraded right now, by component: features report problems they recover from on their own (a lost
// broadcast, a failed reconcile) so operators see them on /healthz instead of only in the logs.

export interface HealthReporter {
  /** Sets (or, with undefined, clears) the problem of one component. */
  report(component: string, problem: string | undefined): void;
}

export interface HealthStatus {
  status: 'ok' | 'degraded';
  problems: { component: string; problem: string; since: string }[];
}

export class HealthBoard implements HealthReporter {
  private readonly problems = new Map<string, { problem: string; since: number }>();

  report(component: string, problem: string | undefined): void {
    if (problem === undefined) this.problems.delete(component);
    else if (this.problems.get(component)?.problem !== problem)
      this.problems.set(component, { problem, since: this.problems.get(component)?.since ?? Date.now() });
  }

  status(): HealthStatus {
    const problems = [...this.problems].map(([component, p]) => ({
      component,
      problem: p.problem,
      since: new Date(p.since).toISOString(),
    }));
    return { status: problems.length ? 'degraded' : 'ok', problems };
  }
}
