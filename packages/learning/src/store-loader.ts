import { JsonlExperienceStore, type DurableExperienceStore } from '@orchestra/learning-collector';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { StoreUnavailableError } from './errors';
import type { StoreConfig } from './config';
import type { ModuleImporter } from './trainer-loader';

/** The optional package that holds the PostgreSQL store. */
export const POSTGRES_STORE_PACKAGE = '@orchestra/learning-store-postgres';

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/** Whether a store configuration names a PostgreSQL database. */
export function isPostgresStore(store: StoreConfig | undefined): store is StoreConfig & { url: string } {
  return store?.url !== undefined && /^postgres(?:ql)?:\/\//i.test(store.url);
}

/** Options of `openExperienceStore`. */
export interface OpenExperienceStoreOptions {
  /** The data dir: the JSONL buffer's home, or the PostgreSQL store's local failover buffer. */
  dataDir: string;
  /** The `store` configuration (`orchestra.config.json` `store`, `ORCHESTRA_STORE_URL`). */
  store?: StoreConfig;
  /** Open for reading only (no lock, no repair, no schema creation, no write). */
  readOnly?: boolean;
  /** The JSONL buffer's reward configuration (it scores outcome events at read with it). */
  rewardConfig?: RewardConfigInput;
  /** Where a PostgreSQL store's warnings go (a failover); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Replaces the dynamic import of the PostgreSQL store (tests). */
  importModule?: ModuleImporter;
}

interface PostgresStoreModule {
  PostgresExperienceStore: {
    open(config: Record<string, unknown>, options?: { onWarning?: (message: string) => void }): Promise<DurableExperienceStore>;
  };
}

/**
 * Opens the configured experience store: the data dir's JSONL buffer, or — for a `postgres://` URL — the PostgreSQL
 * store, reached by dynamic import of the optional peer `@orchestra/learning-store-postgres` (a JSONL-only install
 * never loads `pg`). Throws `StoreUnavailableError` when that package is not installed.
 */
export async function openExperienceStore(options: OpenExperienceStoreOptions): Promise<DurableExperienceStore> {
  const store = options.store;
  if (!isPostgresStore(store)) {
    return JsonlExperienceStore.open({ dataDir: options.dataDir, readOnly: options.readOnly === true, ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }) });
  }
  let module: PostgresStoreModule;
  try {
    module = (await (options.importModule ?? defaultImporter)(POSTGRES_STORE_PACKAGE)) as PostgresStoreModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new StoreUnavailableError({ packageName: POSTGRES_STORE_PACKAGE, cause: error });
    throw error;
  }
  const { url, ...rest } = store;
  const settings = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return module.PostgresExperienceStore.open(
    { url, dataDir: options.dataDir, readOnly: options.readOnly === true, ...settings },
    options.onWarning === undefined ? {} : { onWarning: options.onWarning },
  );
}
