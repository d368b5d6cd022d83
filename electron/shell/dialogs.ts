import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import type { Job } from '../../shared/types';
import { jobPhaseText } from '../../shared/job-phase';

// Native dialogs of the shell; the decisions they feed live in open-store.ts and main.ts.

/** The data dir is unusable: true when the user wants to choose another folder, false to quit. */
export function askForAnotherFolder(dataDir: string, message: string): boolean {
  const choice = dialog.showMessageBoxSync({
    type: 'error',
    title: 'Volsnap',
    message: 'Volsnap cannot use its data folder',
    detail: `${message}\n\nFolder: ${dataDir || '(not set)'}\nChoose another folder for snapshots, or quit.`,
    buttons: ['Choose Another Folder…', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  return choice === 0;
}

/** Quitting while jobs run interrupts them: true when the user confirms. */
export function confirmQuitDuring(jobs: Job[]): boolean {
  if (jobs.length === 0) return true;
  const choice = dialog.showMessageBoxSync({
    type: 'warning',
    title: 'Volsnap',
    message: 'Volsnap is still working',
    detail: `${jobs.map((j) => `${j.kind} of ${j.workloadId}: ${jobPhaseText(j)}`).join('\n')}\n\nQuitting now interrupts it. The next start cleans up: an unfinished capture is discarded, a restore is rolled back or finished.`,
    buttons: ['Keep Running', 'Quit Anyway'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  return choice === 1;
}

/** A folder picker for the data dir; null when cancelled. */
export function pickDataFolder(): string | null {
  const picked = dialog.showOpenDialogSync({
    title: 'Folder for Volsnap snapshots',
    properties: ['openDirectory', 'createDirectory'],
  });
  return picked?.[0] ?? null;
}

/** "Save as…" for a file or folder taken out of a snapshot; null when cancelled. */
export async function pickSavePath(suggestedName: string): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow();
  const options = { title: 'Save from snapshot', defaultPath: path.join(app.getPath('downloads'), suggestedName) };
  const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return picked.canceled || !picked.filePath ? null : picked.filePath;
}

/** Export… of a snapshot: where to write its .volsnap bundle; null when cancelled. */
export async function pickBundleSavePath(suggestedName: string): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow();
  const options = {
    title: 'Export snapshot',
    defaultPath: path.join(app.getPath('documents'), suggestedName),
    filters: [{ name: 'Volsnap bundle', extensions: ['volsnap'] }],
  };
  const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return picked.canceled || !picked.filePath ? null : picked.filePath;
}

/** Import…: the .volsnap bundle to bring in; null when cancelled. */
export async function pickBundleFile(): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow();
  const options = {
    title: 'Import a snapshot',
    properties: ['openFile' as const],
    filters: [
      { name: 'Volsnap bundle', extensions: ['volsnap'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}
