import { useEffect, useId, useRef, type ReactNode } from 'react';

/** What a dialog focuses when it opens: the field marked `data-autofocus`, its first field, else its first button; never the × in the header. */
const FIRST_FIELD = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled])';

/**
 * A real modal dialog: the native <dialog> opened with showModal() (role dialog, focus kept
 * inside, Esc closes). Mount it to open it; `onClose` runs on Esc or the close button. It opens
 * with focus on its first field and gives focus back to what had it (the row) when it goes away.
 */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    focusFirst(bodyRef.current);
    return () => {
      dialog?.close();
      // The dialog leaves the DOM before this runs, so the browser's own focus return cannot happen.
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header className="modal-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close dialog" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="modal-body" ref={bodyRef}>
        {children}
      </div>
    </dialog>
  );
}

function focusFirst(body: HTMLElement | null): void {
  if (!body) return;
  const target =
    body.querySelector<HTMLElement>('[data-autofocus]') ??
    body.querySelector<HTMLElement>(FIRST_FIELD) ??
    body.querySelector<HTMLElement>('button:not([disabled])');
  target?.focus();
}
