import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHandlers, invokeCommand } from './handlers';
import { menuTemplate, showContextMenu, useMenuPopup, type MenuPopup, type NativeMenuItem } from './native-menu';
import { createServices } from '../services';
import { tempDir } from '../../test/engine';

/**
 * The native context menu's pure part: what main builds from a page's request, which requests it
 * refuses (through the same handlers as IPC), and the answer it gives. Electron itself is not here:
 * the popup is a stand-in that plays the menu's two signals (an item's click, the menu closing).
 */
const dir = tempDir();
const services = createServices({
  dataDir: path.join(dir.path, 'data'),
  docker: new Docker({ socketPath: path.join(dir.path, 'no-engine.sock') }),
});
const handlers = createHandlers(services);
const items = [
  { id: 'restore', label: 'Restore…', enabled: true },
  { id: 'delete', label: 'Delete', enabled: false },
];

afterEach(() => useMenuPopup(null));
afterAll(() => {
  services.close();
  dir.remove();
});

/** A popup that records what it was given and plays `then` (click an item, or just close). */
function fakePopup(then: (shown: NativeMenuItem[], closed: () => void) => void): { shown: NativeMenuItem[][] } {
  const record = { shown: [] as NativeMenuItem[][] };
  const popup: MenuPopup = (template, _at, closed) => {
    record.shown.push(template);
    then(template, closed);
  };
  useMenuPopup(popup);
  return record;
}

describe('menuTemplate', () => {
  it('keeps ids, labels and enabled flags only, and shows & as written', () => {
    const built = menuTemplate({ items: [...items, { id: 'rename', label: 'Save & rename', enabled: true }] }, () => {
      throw new Error('not clicked');
    });
    expect(built.map(({ id, label, enabled }) => ({ id, label, enabled }))).toEqual([
      { id: 'restore', label: 'Restore…', enabled: true },
      { id: 'delete', label: 'Delete', enabled: false },
      { id: 'rename', label: 'Save && rename', enabled: true },
    ]);
    expect(built.every((i) => Object.keys(i).sort().join() === 'click,enabled,id,label')).toBe(true);
  });

  it('a disabled item chooses nothing even when clicked', () => {
    const chosen: string[] = [];
    const built = menuTemplate({ items }, (id) => chosen.push(id));
    built[1]!.click();
    built[0]!.click();
    expect(chosen).toEqual(['restore']);
  });
});

describe('showContextMenu through the handlers', () => {
  it('answers with the chosen id, even when Electron reports the close before the click', async () => {
    fakePopup((shown, closed) => {
      closed();
      shown[0]!.click();
    });
    expect(await invokeCommand(handlers, 'showContextMenu', { items, at: { x: 10, y: 20 } })).toEqual({
      ok: true,
      value: { chosen: 'restore' },
    });
  });

  it('answers null when the menu is dismissed', async () => {
    fakePopup((_shown, closed) => closed());
    expect(await showContextMenu({ items })).toEqual({ chosen: null });
  });

  it('refuses hostile or malformed payloads before any menu is shown', async () => {
    const record = fakePopup((_shown, closed) => closed());
    const hostile: unknown[] = [
      { items: [{ id: 'quit', label: 'Quit', enabled: true, role: 'quit' }] },
      { items: [{ id: 'x', label: 'X', enabled: true, submenu: [{ label: 'y' }] }] },
      { items: [{ id: 'x', label: 'X', enabled: true, accelerator: 'CommandOrControl+Q' }] },
      { items: [{ id: 'x', label: 'X', enabled: true }], click: 'require("child_process")' },
      { items: [{ id: 'Bad Id', label: 'X', enabled: true }] },
      { items: [{ id: 'x', label: 'two\nlines', enabled: true }] },
      { items: [{ id: 'x', label: 'x'.repeat(81), enabled: true }] },
      { items: [{ id: 'x', label: 'X', enabled: 'yes' }] },
      { items: [{ id: 'x', label: 'X' }] },
      { items: [] },
      { items: Array.from({ length: 25 }, (_, i) => ({ id: `i${i}`, label: 'X', enabled: true })) },
      {
        items: [
          { id: 'x', label: 'A', enabled: true },
          { id: 'x', label: 'B', enabled: true },
        ],
      },
      { items, at: { x: -1, y: 0 } },
      { items, at: { x: 1.5, y: 0 } },
      { items: { 0: items[0], length: 1 } },
      null,
      'menu',
    ];
    for (const payload of hostile) {
      const result = await invokeCommand(handlers, 'showContextMenu', payload);
      expect(result, JSON.stringify(payload)).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      if (!result.ok) expect(result.error.message).toMatch(/^Invalid input for menu:context: /);
    }
    expect(record.shown).toEqual([]);
  });

  it('is unsupported where no native menu exists (the web host): the page draws its own', async () => {
    expect(await invokeCommand(handlers, 'showContextMenu', { items })).toEqual({
      ok: false,
      error: {
        kind: 'Unsupported',
        message: 'Native menus need the desktop app; in a browser the page shows its own menu.',
      },
    });
  });
});
