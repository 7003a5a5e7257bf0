import type { LegacyUserRow, LegacyUsersProjection, UpsertResult } from '@strangler/users-service/projection';
import type { LegacyProductChange, LegacyProductsProjection, LegacyStockChange, ProjectionOutcome } from '@strangler/catalog-service/projection';
import type { DeletedKeys } from '../projectors/deleted-keys.js';

/** Records what the users projector asks of the service; answers `outcome`, or throws `failWith`. */
export class RecordingUsersProjection implements LegacyUsersProjection {
  upserts: LegacyUserRow[] = [];
  deletes: number[] = [];
  outcome: UpsertResult['outcome'] = 'inserted';
  deleted = true;
  failWith?: Error;

  async upsertFromLegacy(row: LegacyUserRow): Promise<UpsertResult> {
    if (this.failWith) throw this.failWith;
    this.upserts.push(row);
    const { legacyId, passwordHash: _passwordHash, ...user } = row;
    return { outcome: this.outcome, user: { ...user, id: legacyId, version: 1 } };
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    if (this.failWith) throw this.failWith;
    this.deletes.push(legacyId);
    return this.deleted;
  }
}

/** Records what the catalog projector asks of the service; answers `outcome`, or throws `failWith`. */
export class RecordingProductsProjection implements LegacyProductsProjection {
  products: LegacyProductChange[] = [];
  stock: LegacyStockChange[] = [];
  deletes: number[] = [];
  outcome: ProjectionOutcome = 'inserted';
  deleted = true;
  failWith?: Error;

  async upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome> {
    if (this.failWith) throw this.failWith;
    this.products.push(change);
    return this.outcome;
  }

  async upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome> {
    if (this.failWith) throw this.failWith;
    this.stock.push(change);
    return this.outcome;
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    if (this.failWith) throw this.failWith;
    this.deletes.push(legacyId);
    return this.deleted;
  }
}

/** In-memory DeletedKeys. */
export class MemoryDeletedKeys implements DeletedKeys {
  readonly keys = new Map<string, Date>();

  async isDeleted(sourceTable: string, legacyId: number): Promise<boolean> {
    return this.keys.has(`${sourceTable}:${legacyId}`);
  }

  async markDeleted(sourceTable: string, legacyId: number, deletedAt: Date): Promise<void> {
    if (!this.keys.has(`${sourceTable}:${legacyId}`)) this.keys.set(`${sourceTable}:${legacyId}`, deletedAt);
  }
}
