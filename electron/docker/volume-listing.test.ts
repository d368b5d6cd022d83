import { describe, expect, it } from 'vitest';
import { parseListing } from './volume-listing';

const a = 'a'.repeat(64);
const b = '0123456789abcdef'.repeat(4);

describe("the listing helper's answer", () => {
  it('gives each listed volume its digest and size, and nothing to a volume it could not list', () => {
    const stderr = 'volsnap-size x 3 4096\nstat: something odd\nvolsnap-size y 20046 705077720\n';
    expect(parseListing(`${a}  -\n${b}  -\nvolsnap-listed 0\n`, stderr, ['x', 'y'])).toEqual(
      new Map([
        ['x', { digest: a, size: { entries: 3, fileBytes: 4096 } }],
        ['y', { digest: b, size: { entries: 20046, fileBytes: 705077720 } }],
      ]),
    );
    expect(parseListing(`unlisted\n${b}  -\nvolsnap-listed 0\n`, stderr, ['x', 'y'])).toEqual(
      new Map([['y', { digest: b, size: { entries: 20046, fileBytes: 705077720 } }]]),
    );
  });

  it('keeps a digest without a size when its size line is missing, named twice or not a count', () => {
    const stdout = `${a}  -\n${b}  -\nvolsnap-listed 0\n`;
    for (const stderr of [
      '',
      'volsnap-size y 3 4096\nvolsnap-size x 3 4096\nvolsnap-size x 5 4096\n',
      'volsnap-size x 3 -4096\nvolsnap-size y 1 2',
      'volsnap-size x 3 4096 extra\nvolsnap-size y 1 2',
      'volsnap-size x 3 1e9\nvolsnap-size y 1 2',
    ])
      expect(parseListing(stdout, stderr, ['x', 'y']).get('x'), JSON.stringify(stderr)).toEqual({ digest: a });
  });

  it('lists nothing from an answer that is not exactly that', () => {
    for (const stdout of [
      '',
      `${a}  -\n${b}  -\n`, // cut short before its end line
      `${a}  -\nvolsnap-listed 0\n`, // a line missing
      `${a}  -\n${b}  -\n${a}  -\nvolsnap-listed 0\n`, // a line too many
      `${a}  -\n${b}  -\nvolsnap-listed 0`, // no last newline
      `${a.toUpperCase()}  -\n${b}  -\nvolsnap-listed 0\n`,
      `${a} -\n${b}  -\nvolsnap-listed 0\n`,
      `${a.slice(1)}  -\n${b}  -\nvolsnap-listed 0\n`,
      `${a}  /volsnap/x\n${b}  -\nvolsnap-listed 0\n`,
      `sha256sum: not found\n${b}  -\nvolsnap-listed 0\n`,
      `${a}  -\n${b}  -\nvolsnap-listed 1\n`,
    ])
      expect(parseListing(stdout, '', ['x', 'y']), JSON.stringify(stdout)).toEqual(new Map());
  });
});
