import { describe, expect, it } from 'vitest';
import { createPlainProgress } from './progress.js';

describe('plain progress (stderr is not a terminal)', () => {
  it('prints a line per table for roughly every 10% and at completion', () => {
    const lines: string[] = [];
    const progress = createPlainProgress((line) => lines.push(line));
    progress.start({ users: 1000, products: 30, inventory: 30, orders: 0, order_items: 0 });
    for (let inserted = 50; inserted <= 1000; inserted += 50) progress.update({ table: 'users', inserted, total: 1000 });
    progress.update({ table: 'products', inserted: 30, total: 30 });
    progress.stop();

    expect(lines[0]).toBe('seed: writing 1060 rows (users 1000, products 30, inventory 30, orders 0, order_items 0)');
    const userLines = lines.filter((line) => line.startsWith('seed: users'));
    expect(userLines).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `seed: users ${p * 10}/1000 (${p}%)`));
    expect(lines).toContain('seed: products 30/30 (100%)');
  });

  it('skips thresholds that one large batch jumps over instead of printing them late', () => {
    const lines: string[] = [];
    const progress = createPlainProgress((line) => lines.push(line));
    progress.update({ table: 'orders', inserted: 350, total: 1000 });
    progress.update({ table: 'orders', inserted: 380, total: 1000 });
    progress.update({ table: 'orders', inserted: 400, total: 1000 });
    progress.update({ table: 'orders', inserted: 1000, total: 1000 });
    expect(lines).toEqual(['seed: orders 350/1000 (35%)', 'seed: orders 400/1000 (40%)', 'seed: orders 1000/1000 (100%)']);
  });
});
