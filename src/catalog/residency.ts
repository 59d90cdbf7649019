// Data residency: where an app's prompts may be sent. One rule, scored at admission (a cross-region model needs
// legal's sign-off) and enforced by gateway routing (a deployment outside it is never chosen).
import type { CatalogReader } from './catalog-schema.js';

/** What bounds the regions an app's model calls may go to. */
export interface ResidencyScope {
  /** The app manifest's spec.region. */
  appRegion: string;
  /**
   * The declared datasets that are not public (or unknown to the catalog: fail closed). When any is listed, the
   * app's prompts may carry company data and stay in the app's region; when none is, any region will do.
   */
  restrictedBy: string[];
}

/** The residency scope of an app manifest's spec (its region and declared data). */
export function residencyOf(
  spec: { region: string; data: readonly { dataset: string }[] },
  catalog: Pick<CatalogReader, 'dataset'>,
): ResidencyScope {
  const restrictedBy: string[] = [];
  for (const d of spec.data) {
    const cls = catalog.dataset(d.dataset)?.spec.classification;
    if (cls !== 'public') restrictedBy.push(d.dataset);
  }
  return { appRegion: spec.region, restrictedBy };
}

/** Residency matters for non-public data only: then the region must be the app's. */
export function regionAllowed(scope: ResidencyScope, region: string): boolean {
  return scope.restrictedBy.length === 0 || region === scope.appRegion;
}
