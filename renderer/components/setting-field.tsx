import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { humanBytes } from '../../shared/format';
import type { SettingKey, Settings } from '../../shared/settings';

const LABELS: Record<SettingKey, string> = {
  helperImage: 'Helper image (used to read volumes no container mounts)',
  defaultMode: 'Default capture mode',
  keepLast: 'Keep the last N snapshots per workload',
  maxAgeDays: 'Delete snapshots older than (days, empty = never)',
  maxStoreBytes: 'Store size limit, e.g. 50 GB (oldest snapshots go first; empty = no limit)',
  keepInTrayOnClose: 'Keep running in the tray when the window closes',
  launchAtLogin: 'Launch at login',
};

/** One setting's control and Save; the value is validated by main and a refusal is shown. */
export function SettingField({ settingKey, value }: { settingKey: SettingKey; value: Settings[SettingKey] }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(toText(value, settingKey));
  useEffect(() => setDraft(toText(value, settingKey)), [value, settingKey]);
  const save = useMutation({
    mutationFn: (next: unknown) => client.setSetting({ key: settingKey, value: next }),
    onSuccess: (settings) => {
      queryClient.setQueryData(queryKeys.settings, settings);
      // The Storage screen shows the limit and warns against it.
      if (settingKey === 'maxStoreBytes') void queryClient.invalidateQueries({ queryKey: queryKeys.storeUsage });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(fromText(settingKey, draft));
  };
  if (typeof value === 'boolean') {
    return (
      <div className="setting">
        <label className="checkbox">
          <input type="checkbox" checked={value} onChange={(e) => save.mutate(e.target.checked)} />
          {LABELS[settingKey]}
        </label>
        <ErrorMessage error={save.error} />
      </div>
    );
  }
  return (
    <form className="setting" onSubmit={submit}>
      <label>
        {LABELS[settingKey]}
        {settingKey === 'defaultMode' ? (
          <select value={draft} onChange={(e) => setDraft(e.target.value)}>
            <option value="live">live</option>
            <option value="pause">pause</option>
            <option value="stop">stop</option>
          </select>
        ) : (
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            inputMode={typeof value === 'string' || settingKey === 'maxStoreBytes' ? 'text' : 'numeric'}
          />
        )}
      </label>
      <button
        type="submit"
        disabled={save.isPending || draft === toText(value, settingKey)}
        aria-label={`Save ${LABELS[settingKey]}`}
      >
        Save
      </button>
      {save.isSuccess && !save.isPending && (
        <span role="status" className="ok">
          Saved
        </span>
      )}
      <ErrorMessage error={save.error} />
    </form>
  );
}

function toText(value: string | number | boolean | null, key?: SettingKey): string {
  // A size reads as "50 GB"; main parses the text back (shared/size-text.ts).
  if (key === 'maxStoreBytes' && typeof value === 'number') return humanBytes(value);
  return value === null ? '' : String(value);
}

/** Numbers go to main as numbers (or null when empty) so main's schema judges the value, not the text. */
function fromText(key: SettingKey, text: string): unknown {
  if (key === 'keepLast' || key === 'maxAgeDays') {
    if (text.trim() === '') return key === 'maxAgeDays' ? null : text;
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  return text;
}
