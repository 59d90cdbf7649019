// Renders a Helm chart's templates for tests with Go's own text/template engine (compiled to wasm): only Go's
// built-in functions exist (no Sprig, no include/tpl/required), and a missing value key is an error. Not `helm`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as renderGoTemplate } from '@evertdespiegeleer/go-template';
import { parse as parseYaml } from 'yaml';

export interface RenderedTemplate {
  /** The template's path inside the chart, as `helm template` prints it in its `# Source:` line. */
  source: string;
  text: string;
}

export interface HelmRenderOptions {
  releaseName: string;
  namespace?: string;
  /** Merged over values.yaml the way Helm merges `-f` files: maps merge key by key, anything else replaces. */
  values?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeHelmValues(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(base[k]) ? mergeHelmValues(base[k], v) : v;
  return out;
}

/** Renders every template of the chart at chartDir (files starting with `_` and NOTES.txt are skipped, as Helm does). */
export async function renderHelmChart(chartDir: string, opts: HelmRenderOptions): Promise<RenderedTemplate[]> {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Json;
  const defaults = (parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Json;
  // Helm exposes Chart.yaml's fields capitalised (.Chart.Name, .Chart.AppVersion).
  const chartObj: Json = {};
  for (const [k, v] of Object.entries(chart)) chartObj[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  const context = {
    Values: mergeHelmValues(defaults, opts.values ?? {}),
    Release: {
      Name: opts.releaseName,
      Namespace: opts.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: chartObj,
  };
  const dir = join(chartDir, 'templates');
  const files = readdirSync(dir)
    .filter((f) => !f.startsWith('_') && f !== 'NOTES.txt' && /\.(ya?ml|tpl)$/.test(f))
    .sort();
  const out: RenderedTemplate[] = [];
  for (const f of files) {
    const source = `${String(chart.name)}/templates/${f}`;
    try {
      out.push({ source, text: await renderGoTemplate(readFileSync(join(dir, f), 'utf8'), context) });
    } catch (e) {
      throw new Error(`${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
