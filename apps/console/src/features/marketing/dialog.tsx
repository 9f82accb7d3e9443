import type { ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';

/**
 * A button that opens a modal dialog titled by its heading (focus moved in, kept in and given
 * back; Escape closes it); `children` gets `close` to call once the work is done.
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
