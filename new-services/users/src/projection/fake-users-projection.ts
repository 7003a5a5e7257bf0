import { FakeUsersStore, publicCopy, type AccountRow } from '../features/users/fake-users-store.js';
import { ProjectionConflictError, type LegacyUserRow, type LegacyUsersProjection, type UpsertResult } from './users-projection-type.js';

/**
 * The in-memory accounts with the projection's writes on top, for unit tests: the store and the projection share one
 * table in the database too, so what is projected here is what the store then serves. Idempotent like the database.
 */
export class FakeUsersProjection extends FakeUsersStore implements LegacyUsersProjection {
  async upsertFromLegacy(legacy: LegacyUserRow): Promise<UpsertResult> {
    const id = legacy.legacyId;
    const byId = this.rows.get(id);
    if (byId && byId.legacyId !== id) throw new ProjectionConflictError(id, byId.id, 'ID');
    const byEmail = this.findRowByEmail(legacy.email);
    if (byEmail && byEmail.id !== id) throw new ProjectionConflictError(id, byEmail.id, 'EMAIL');

    const next = {
      email: legacy.email,
      fullName: legacy.fullName,
      status: legacy.status,
      passwordHash: legacy.passwordHash,
      createdAt: new Date(legacy.createdAt),
      updatedAt: new Date(legacy.updatedAt),
    };
    if (!byId) {
      const row: AccountRow = { id, legacyId: id, ...next, version: 1 };
      this.rows.set(id, row);
      this.nextId = Math.max(this.nextId, id + 1);
      return { outcome: 'inserted', user: publicCopy(row) };
    }
    const changed =
      byId.email !== next.email ||
      byId.fullName !== next.fullName ||
      byId.status !== next.status ||
      byId.passwordHash !== next.passwordHash ||
      byId.createdAt.getTime() !== next.createdAt.getTime() ||
      byId.updatedAt.getTime() !== next.updatedAt.getTime();
    if (!changed) return { outcome: 'unchanged', user: publicCopy(byId) };
    Object.assign(byId, next, { version: byId.version + 1 });
    return { outcome: 'updated', user: publicCopy(byId) };
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const row = [...this.rows.values()].find((candidate) => candidate.legacyId === legacyId);
    return row ? this.rows.delete(row.id) : false;
  }
}
