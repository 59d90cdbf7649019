// Checks that everything a manifest names exists in the catalog (suggesting the closest known names) and that its
// models are allowed in the app's environment.
import type { ErrorDetail } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { AppManifest } from './manifest-schema.js';

export function checkReferences(m: AppManifest, catalog: CatalogReader): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const names = (kind: 'Dataset' | 'Connector' | 'Model' | 'User') => catalog.list(kind).map((d) => d.metadata.name);
  if (!catalog.user(m.metadata.owner)) {
    out.push({
      path: 'metadata.owner',
      message: `unknown user '${m.metadata.owner}' (${didYouMean(m.metadata.owner, names('User'))})`,
    });
  }
  (m.metadata.maintainers ?? []).forEach((u, i) => {
    if (!catalog.user(u))
      out.push({
        path: `metadata.maintainers[${i}]`,
        message: `unknown user '${u}' (${didYouMean(u, names('User'))})`,
      });
  });
  m.spec.models.forEach((mod, i) => {
    const doc = catalog.model(mod.id);
    if (!doc)
      out.push({
        path: `spec.models[${i}].id`,
        message: `unknown model '${mod.id}' (${didYouMean(mod.id, names('Model'))})`,
      });
    // The gateway refuses such a model at run time anyway; an app must not be admitted with one it can never call.
    else if (!doc.spec.environments.includes(m.spec.environment))
      out.push({
        path: `spec.models[${i}].id`,
        message: `model '${mod.id}' is not allowed in ${m.spec.environment} by the catalog (its environments: ${doc.spec.environments.join(', ')}); pick a model allowed in ${m.spec.environment} or change spec.environment`,
      });
    if (mod.fallback && !m.spec.models.some((x) => x.id === mod.fallback)) {
      out.push({
        path: `spec.models[${i}].fallback`,
        message: `fallback '${mod.fallback}' must itself be declared in spec.models`,
      });
    }
  });
  m.spec.data.forEach((d, i) => {
    const ds = catalog.dataset(d.dataset);
    if (!ds) {
      out.push({
        path: `spec.data[${i}].dataset`,
        message: `unknown dataset '${d.dataset}' (${didYouMean(d.dataset, names('Dataset'))})`,
      });
      return;
    }
    const cols = ds.spec.columns.map((c) => c.name);
    d.columns.forEach((c, j) => {
      if (cols.length && !cols.includes(c))
        out.push({
          path: `spec.data[${i}].columns[${j}]`,
          message: `dataset '${d.dataset}' has no column '${c}' (${didYouMean(c, cols)})`,
        });
    });
  });
  m.spec.connectors.forEach((c, i) => {
    if (!catalog.connector(c.id))
      out.push({
        path: `spec.connectors[${i}].id`,
        message: `unknown connector '${c.id}' (${didYouMean(c.id, names('Connector'))})`,
      });
  });
  const dupModels = m.spec.models.map((x) => x.id).filter((id, i, a) => a.indexOf(id) !== i);
  for (const id of new Set(dupModels)) out.push({ path: 'spec.models', message: `model '${id}' is declared twice` });
  return out;
}
