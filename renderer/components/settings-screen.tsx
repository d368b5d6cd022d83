import { useQuery } from '@tanstack/react-query';
import { EnginePicker } from './engine-picker';
import { ErrorMessage } from './error-message';
import { SettingField } from './setting-field';
import { ScheduleEditor } from './schedule-editor';
import { ThemeSetting } from './theme-setting';
import { useClient } from '../client/client-context';
import { isDesktop } from '../client/host';
import { queryKeys } from '../client/query-keys';
import { SETTING_KEYS, type SettingKey } from '../../shared/settings';

/** Settings that only mean something to the desktop app (its tray and login item). */
const DESKTOP_ONLY: readonly SettingKey[] = ['keepInTrayOnClose', 'launchAtLogin'];

/**
 * Every setting of shared/settings.ts that applies to this host (in a browser, the desktop app's
 * tray and login settings are hidden); each saves on its own and shows why a value is refused.
 * The data directory is shown so the CLI can be pointed at the same store.
 */
export function SettingsScreen() {
  const client = useClient();
  const settings = useQuery({ queryKey: queryKeys.settings, queryFn: () => client.getSettings({}) });
  const info = useQuery({ queryKey: queryKeys.appInfo, queryFn: () => client.appInfo({}), staleTime: Infinity });
  const desktop = isDesktop();
  const keys = SETTING_KEYS.filter((key) => desktop || !DESKTOP_ONLY.includes(key));
  return (
    <section aria-labelledby="settings-title" className="screen">
      <header className="screen-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <ThemeSetting />
      <ErrorMessage error={settings.error} />
      {info.data && (
        <p className="data-dir">
          Data directory: <code>{info.data.dataDir}</code>
          <span className="muted"> (snapshots and the catalog; the CLI takes it as --data-dir)</span>
        </p>
      )}
      <div className="engine-setting">
        Docker engine: <EnginePicker />
        <span className="muted"> (remembered for the app and every CLI, like volsnap config set engine)</span>
      </div>
      {settings.data && (
        <div className="settings">
          {keys.map((key) => (
            <SettingField key={key} settingKey={key} value={settings.data[key]} />
          ))}
        </div>
      )}
      <ScheduleEditor />
    </section>
  );
}
