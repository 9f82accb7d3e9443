import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';
import { useT } from '../../i18n';
import { ProblemAlert } from '../../ui/problem';

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
              <Heading slot="title">{title}</Heading>
              {children}
              <ProblemAlert error={error} />
              <div className="row ops-actions">
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
