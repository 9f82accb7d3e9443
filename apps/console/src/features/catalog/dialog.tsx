import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';
import { useT } from '../../i18n';
import { ProblemAlert } from '../../ui/problem';

/**
 * A button that opens a modal dialog (focus moved in, kept in and given back; Escape closes it)
 * titled by its heading; `children` gets `close` to call once the work is done.
 */
export function DialogButton({
  label,
  title,
  className = 'button',
  isDisabled,
  children,
}: {
  label: ReactNode;
  title: string;
  className?: string;
  isDisabled?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  return (
    <DialogTrigger>
      <Button className={className} isDisabled={isDisabled}>
        {label}
      </Button>
      <Modal isDismissable>
        <Dialog>
          {({ close }) => (
            <>
              <Heading slot="title" level={2}>
                {title}
              </Heading>
              {children(close)}
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

/** A destructive or irreversible action behind a confirmation dialog (its refusal shown there). */
export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  onConfirm,
  isDisabled,
  danger = true,
}: {
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  isDisabled?: boolean;
  danger?: boolean;
}) {
  return (
    <DialogButton
      label={label}
      title={title}
      className={danger ? 'button danger' : 'button'}
      isDisabled={isDisabled}
    >
      {(close) => (
        <Confirm
          body={body}
          confirmLabel={confirmLabel}
          danger={danger}
          onConfirm={onConfirm}
          close={close}
        />
      )}
    </DialogButton>
  );
}

function Confirm({
  body,
  confirmLabel,
  danger,
  onConfirm,
  close,
}: {
  body: ReactNode;
  confirmLabel: string;
  danger: boolean;
  onConfirm: () => Promise<unknown>;
  close: () => void;
}) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      {body}
      <ProblemAlert error={error} />
      <div className="row dialog-actions">
        <Button className="button secondary" onPress={close}>
          {t('app.cancel')}
        </Button>
        <Button
          className={danger ? 'button danger' : 'button'}
          isDisabled={busy}
          onPress={() => {
            setBusy(true);
            setError(null);
            onConfirm().then(close, (e: unknown) => {
              setError(e);
              setBusy(false);
            });
          }}
        >
          {confirmLabel}
        </Button>
      </div>
    </>
  );
}
