import { describe, expect, it } from 'vitest';
import * as kernel from '@forkscope/kernel';
describe('smoke', () => { it('loads', () => { expect(typeof kernel).toBe('object'); }); });
