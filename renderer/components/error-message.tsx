import { MessageText } from './message-text';
import { VolsnapError } from '../../shared/errors';

/** Shows an error's kind and its message (written for the user by the services). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const kind = error instanceof VolsnapError ? error.kind : 'Error';
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  return (
    <p className="error" role="alert">
      <strong>{kind}:</strong> <MessageText text={message} />
    </p>
  );
}
