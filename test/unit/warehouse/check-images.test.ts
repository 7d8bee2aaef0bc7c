import { describe, expect, it } from 'vitest';
import { parseImage } from '../../../src/warehouse/check-images.ts';

describe('a catalog image reference', () => {
  it('is read as registry host, repository and digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImage(`127.0.0.1:5000/essg/ids@${digest}`)).toEqual({ host: '127.0.0.1:5000', repository: 'essg/ids', digest });
    expect(parseImage(`registry.example.com/essg/team/ids@${digest}`)).toEqual({ host: 'registry.example.com', repository: 'essg/team/ids', digest });
    expect(parseImage('registry.example.com/essg/ids:1.0.0')).toBeUndefined();
  });
});
