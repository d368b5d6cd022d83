import { useQuery } from '@tanstack/react-query';
import { ErrorMessage } from './error-message';
import { SettingField } from './setting-field';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { SETTING_KEYS } from '../../shared/settings';

/** Every setting of shared/settings.ts; each saves on its own and shows why a value is refused. */
export function SettingsScreen() {
  const client = useClient();
  const settings = useQuery({ queryKey: queryKeys.settings, queryFn: () => client.getSettings({}) });
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ErrorMessage error={settings.error} />
      {settings.data && (
        <div className="settings">
          {SETTING_KEYS.map((key) => (
            <SettingField key={key} settingKey={key} value={settings.data[key]} />
          ))}
        </div>
      )}
    </section>
  );
}
