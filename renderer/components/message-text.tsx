import { Fragment } from 'react';

/** A service message, with its `command` spans shown as code rather than as literal backticks. */
export function MessageText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks leaves the last one unpaired: show it as it is.
  if (parts.length % 2 === 0) return <>{text}</>;
  return (
    <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}</>
  );
}
