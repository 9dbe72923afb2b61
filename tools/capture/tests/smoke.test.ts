import { expect, it } from 'vitest';
it('placeholder until the package has tests', () => { expect(1 + 1).toBe(2); });
