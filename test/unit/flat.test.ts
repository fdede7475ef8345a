import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flat } from '../../src/core/flat';

describe('flat', () => {
  it('gives back the same text, whatever it is made of', () => {
    for (const s of ['', 'a', 'kNN: 3 of 10 nearest out-of-fold neighbours are labeled "NUM"', '酒店 "好" ✓', '𝟘 emoji 🙂 and a lone \ud800']) {
      assert.equal(flat(s), s);
    }
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 12 }), (parts) => {
      const built = parts.reduce((acc, p) => `${acc}${p}`, '');
      assert.equal(flat(built), parts.join(''));
    }));
  });
});
