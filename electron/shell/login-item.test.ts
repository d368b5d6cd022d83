import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linuxAutostartEntry, linuxAutostartFile, syncLinuxAutostart } from './login-item';
import { tempDir } from '../../test/engine';

describe('launch at login on Linux', () => {
  const home = tempDir('volsnap-login-');
  afterAll(() => home.remove());

  it('lives in the XDG autostart folder', () => {
    expect(linuxAutostartFile({ XDG_CONFIG_HOME: '/c' })).toBe('/c/autostart/volsnap.desktop');
    expect(linuxAutostartFile({ HOME: '/home/u' })).toBe('/home/u/.config/autostart/volsnap.desktop');
  });

  it('starts the app hidden, with its path quoted for the desktop spec', () => {
    const entry = linuxAutostartEntry('/opt/My "Apps"/Volsnap.AppImage');
    expect(entry).toContain('Exec="/opt/My \\"Apps\\"/Volsnap.AppImage" --hidden\n');
    expect(entry.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
  });

  it('follows the setting: written when on, removed when off', () => {
    const file = linuxAutostartFile({ XDG_CONFIG_HOME: home.path });
    syncLinuxAutostart(true, { exec: '/usr/bin/volsnap-app', file });
    expect(readFileSync(file, 'utf8')).toContain('Exec="/usr/bin/volsnap-app" --hidden');
    syncLinuxAutostart(false, { exec: '/usr/bin/volsnap-app', file });
    expect(existsSync(file)).toBe(false);
    syncLinuxAutostart(false, { exec: '/usr/bin/volsnap-app', file });
    expect(existsSync(path.dirname(file))).toBe(true);
  });
});
