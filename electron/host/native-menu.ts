import type { InputOf } from '../../shared/contract';
import { VolsnapError } from '../../shared/errors';

/** What the page asks for (already checked against `ContextMenuInput` in shared/contract.ts). */
export type ContextMenuRequest = InputOf<'showContextMenu'>;

/** One item of the menu main builds: only these fields reach Electron's `Menu.buildFromTemplate`. */
export interface NativeMenuItem {
  id: string;
  label: string;
  enabled: boolean;
  click: () => void;
}

/**
 * Shows the items as a native menu and calls `closed` once it is gone. The desktop shell registers
 * one at start (native-menu-electron.ts); the web host has none, and the page draws its own menu.
 */
export type MenuPopup = (items: NativeMenuItem[], at: ContextMenuRequest['at'], closed: () => void) => void;

let popup: MenuPopup | null = null;

export function useMenuPopup(show: MenuPopup | null): void {
  popup = show;
}

/**
 * The menu's template, field by field from the request, never spread from it: a payload cannot
 * slip in a role, an accelerator, a submenu or a type. `&` is doubled so that a label shows as
 * written instead of turning its next letter into a Windows mnemonic.
 */
export function menuTemplate(request: ContextMenuRequest, choose: (id: string) => void): NativeMenuItem[] {
  return request.items.map(({ id, label, enabled }) => ({
    id,
    label: label.replace(/&/g, '&&'),
    enabled,
    click: () => {
      if (enabled) choose(id);
    },
  }));
}

/**
 * Opens the native menu and answers with the chosen item's id, or null when it was dismissed.
 * Electron may report the menu closed before the item's click (both are queued tasks), so a
 * close only settles after the tasks already queued have run.
 */
export async function showContextMenu(request: ContextMenuRequest): Promise<{ chosen: string | null }> {
  const show = popup;
  if (!show)
    throw new VolsnapError(
      'Unsupported',
      'Native menus need the desktop app; in a browser the page shows its own menu.',
    );
  return new Promise((resolve) => {
    let settled = false;
    const settle = (chosen: string | null) => {
      if (settled) return;
      settled = true;
      resolve({ chosen });
    };
    show(menuTemplate(request, settle), request.at, () => setTimeout(() => settle(null), 0));
  });
}
