import type { PlanCatalog } from "@mozaiks/contracts";

/**
 * The bundle's verified plan catalog (legacy subscription syncs resolve plans through it), set
 * once the runtime has loaded the bundle; undefined before, or when the bundle has none.
 */
export class PlanCatalogHolder {
  #catalog: PlanCatalog | undefined;

  get current(): PlanCatalog | undefined {
    return this.#catalog;
  }

  load(catalog: PlanCatalog | undefined): void {
    this.#catalog = catalog;
  }
}
