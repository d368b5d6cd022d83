import { describe, expect, it } from 'vitest';
import { parseListing } from './volume-listing';

const a = 'a'.repeat(64);
const b = '0123456789abcdef'.repeat(4);

describe("the listing helper's answer", () => {
  it('gives each listed volume its digest, and none to a volume it could not list', () => {
    expect(parseListing(`${a}  -\n${b}  -\nvolsnap-listed 0\n`, ['x', 'y'])).toEqual(
      new Map([
        ['x', a],
        ['y', b],
      ]),
    );
    expect(parseListing(`unlisted\n${b}  -\nvolsnap-listed 0\n`, ['x', 'y'])).toEqual(new Map([['y', b]]));
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
      expect(parseListing(stdout, ['x', 'y']), JSON.stringify(stdout)).toEqual(new Map());
  });
});
