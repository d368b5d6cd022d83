import { BrowserWindow, Menu } from 'electron';
import type { MenuPopup } from './native-menu';

/** The desktop shell's native context menu, over the focused window (the one the user right-clicked). */
export const popupNativeMenu: MenuPopup = (items, at, closed) => {
  const window = BrowserWindow.getFocusedWindow() ?? undefined;
  Menu.buildFromTemplate(items).popup({ window, ...(at && { x: at.x, y: at.y }), callback: closed });
};
