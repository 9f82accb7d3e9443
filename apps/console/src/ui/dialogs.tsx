import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';
import { useT } from '../i18n';
import { ProblemAlert } from './problem';

/**
 * A button that opens a modal dialog titled by its heading (focus moved in, kept in and given
 * back; Escape closes it); `children` gets `close` to call once the work is done.
 */
export function DialogButton({
  label,
  title,
  className = 'button',
  isDisabled,
  ariaLabel,
  children,
}: {
  label: ReactNode;
  title: string;
  className?: string;
  isDisabled?: boolean;
  /** The button's name when its label is short ("Edit" in a row: "Edit rule …"). */
  ariaLabel?: string;
  children: (close: () => void) => ReactNode;
}) {
  return (
    <DialogTrigger>
      <Button className={className} isDisabled={isDisabled} aria-label={ariaLabel}>
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

/**
 * A button that asks first: a modal dialog with a heading, what will happen, and the action
 * (its failure shown in the dialog, which then stays open).
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  className,
  canConfirm = true,
  problem = (error) => <ProblemAlert error={error} />,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  className?: string;
  /** False while the dialog's own fields are not filled in. */
  canConfirm?: boolean;
  /** How a refusal is shown in the dialog (default: ProblemAlert). */
  problem?: (error: unknown) => ReactNode;
}) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  return (
    <DialogTrigger onOpenChange={() => setError(null)}>
      <Button className={className ?? (danger ? 'button danger' : 'button secondary')}>
        {label}
      </Button>
      <Modal isDismissable>
        <Dialog>
          {({ close }) => (
            <>
              <Heading slot="title" level={2}>
                {title}
              </Heading>
              {children}
              {error ? problem(error) : null}
              <div className="row dialog-actions">
                <Button className="button secondary" onPress={close}>
                  {t('app.cancel')}
                </Button>
                <Button
                  className={danger ? 'button danger' : 'button'}
                  isDisabled={pending || !canConfirm}
                  onPress={() => {
                    setPending(true);
                    setError(null);
                    onConfirm()
                      .then(close, setError)
                      .finally(() => setPending(false));
                  }}
                >
                  {confirmLabel}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

/** A dialog form's end: the server's refusal, then cancel and submit (disabled while sending). */
export function FormActions({
  error,
  pending,
  submitLabel,
  onCancel,
}: {
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  const t = useT();
  return (
    <>
      <ProblemAlert error={error} />
      <div className="row dialog-actions">
        <Button className="button secondary" onPress={onCancel}>
          {t('app.cancel')}
        </Button>
        <Button type="submit" className="button" isDisabled={pending}>
          {submitLabel}
        </Button>
      </div>
    </>
  );
}
