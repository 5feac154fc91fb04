import { assetNameFromPath, newAssetName } from '../../../src/server/assets/names';
import { assetSignature } from '../../../src/server/assets/signer';

describe('asset names', () => {
  it('makes <uuid>-<basename> names that need no escaping and cannot climb directories', () => {
    expect(newAssetName('photo.png')).toMatch(/^[0-9a-f-]{36}-photo\.png$/);
    expect(newAssetName('../../etc/passwd')).toMatch(/^[0-9a-f-]{36}-passwd$/);
    expect(newAssetName('a+b c%d?.txt')).toMatch(/^[0-9a-f-]{36}-a_b_c_d_\.txt$/);
    expect(newAssetName('..')).toMatch(/^[0-9a-f-]{36}-file$/);
    expect(newAssetName('日本.txt')).toMatch(/-日本\.txt$/);
  });

  it('accepts request paths only when they stay inside the store', () => {
    expect(assetNameFromPath('abc-x.png')).toBe('abc-x.png');
    expect(assetNameFromPath('/dir/x.png')).toBe('dir/x.png');
    for (const bad of ['', '..%2Fx', 'a/../b', './x', 'a\\b', '%00', '%E0%A4%A']) {
      expect(() => assetNameFromPath(bad)).toThrow(expect.objectContaining({ code: 108 }));
    }
  });
});

describe('assetSignature', () => {
  it('is URL-safe base64 with padding of HMAC-SHA256(secret, name + expiredAt)', () => {
    const sig = assetSignature('secret', 'name.png', 1520000000);
    expect(sig).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(sig).toHaveLength(44);
    expect(sig).toBe(
      require('node:crypto').createHmac('sha256', 'secret').update('name.png1520000000').digest('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    );
  });
});
