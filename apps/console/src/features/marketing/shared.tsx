import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import {
  FieldError,
  Input,
  Label,
  NumberField,
  Text,
  TextArea,
  TextField,
  type NumberFieldProps,
} from 'react-aria-components';
import type { components } from '@emporia/sdk';
import { newIdempotencyKey } from '@emporia/sdk';
import { useT } from '../../i18n';
import { FormActions } from '../../ui/dialogs';

export type Schemas = components['schemas'];
export type MoneyDto = Schemas['MoneyDto'];
export type Currency = MoneyDto['currency'];

/** The currencies the platform takes (MoneyDto's enum), the shop's own first. */
export const CURRENCIES: Currency[] = [
  'CNY',
  'HKD',
  'MOP',
  'TWD',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'KRW',
  'SGD',
];

/** A new id for something the console names itself (a promotion, a campaign: PUT by id). */
export const newId = () => newIdempotencyKey();

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An ISO time as a `datetime-local` input's value in this browser's time zone ('' for none). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A `datetime-local` value (this browser's time zone) as an RFC 3339 time; null for none. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A date and time field (the browser's own picker), labelled, with its error announced. */
export function DateTimeInput({
  label,
  value,
  onChange,
  error,
  description,
  isRequired,
  name,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  description?: ReactNode;
  isRequired?: boolean;
  name?: string;
}) {
  const id = useId();
  const describedBy = [description ? `${id}-d` : '', error ? `${id}-e` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="datetime-local"
        value={value}
        required={isRequired}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {description ? (
        <span id={`${id}-d`} slot="description">
          {description}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-e`} className="react-aria-FieldError">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A number typed in the console's languages (both use '.' for decimals and ',' for groups). */
function parseTyped(text: string): number | null {
  const cleaned = text.replace(/[^\d.-]/g, '');
  if (cleaned === '' || cleaned === '-' || cleaned === '.') return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}

/**
 * A number field that reports its value while the user types (`onChange` on every keystroke, as
 * far as the text is a number), not only when the field is left: the live price preview follows
 * the typing. Uncontrolled after its first value, so the text is never reformatted mid-typing;
 * a field's error is shown under it and announced with it.
 */
export function LiveNumberInput({
  label,
  value,
  onChange,
  error,
  description,
  formatOptions,
  minValue,
  maxValue,
  step,
  name,
  isRequired,
  className,
}: {
  label: string;
  value: number | null;
  onChange: (value: number | null) => void;
  error?: string;
  description?: ReactNode;
  formatOptions?: NumberFieldProps['formatOptions'];
  minValue?: number;
  maxValue?: number;
  step?: number;
  name?: string;
  isRequired?: boolean;
  className?: string;
}) {
  const [initial] = useState(value ?? undefined);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  });
  return (
    <NumberField
      className={className ? `field ${className}` : 'field'}
      defaultValue={initial}
      onChange={(v) => changed.current(Number.isNaN(v) ? null : v)}
      formatOptions={formatOptions}
      minValue={minValue}
      maxValue={maxValue}
      step={step}
      name={name}
      isRequired={isRequired}
      isInvalid={error ? true : undefined}
      validationBehavior="aria"
    >
      <Label>{label}</Label>
      <Input onInput={(e) => changed.current(parseTyped(e.currentTarget.value))} />
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError>{error}</FieldError>
    </NumberField>
  );
}

/** Money typed in major units (¥300.00), reported while typing; the value is major units. */
export function LiveMoneyInput({
  currency,
  ...props
}: Omit<Parameters<typeof LiveNumberInput>[0], 'formatOptions'> & { currency: string }) {
  return (
    <LiveNumberInput
      minValue={0}
      formatOptions={{ style: 'currency', currency, currencyDisplay: 'narrowSymbol' }}
      {...props}
    />
  );
}

/** `value`, once it has stopped changing for `ms` (the preview waits for a pause in typing). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * A list kept in this tab (sessionStorage) for what the API has no listing of (coupon
 * templates, group deals): what this console created or looked up, newest first.
 */
export function useTabList<T extends { id: string }>(
  key: string,
): [T[], (item: T) => void, (id: string) => void] {
  const storageKey = `emporia.console.${key}`;
  const [items, setItems] = useState<T[]>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as T[];
    } catch {
      return [];
    }
  });
  useEffect(() => {
    sessionStorage.setItem(storageKey, JSON.stringify(items));
  }, [items, storageKey]);
  const put = (item: T) => setItems((xs) => [item, ...xs.filter((x) => x.id !== item.id)]);
  const remove = (id: string) => setItems((xs) => xs.filter((x) => x.id !== id));
  return [items, put, remove];
}

/** Where a window [startsAt, endsAt) stands now. */
export function windowStatus(
  startsAt: string | null | undefined,
  endsAt: string | null | undefined,
  now = Date.now(),
): 'SCHEDULED' | 'LIVE' | 'ENDED' {
  if (startsAt && new Date(startsAt).getTime() > now) return 'SCHEDULED';
  if (endsAt && new Date(endsAt).getTime() <= now) return 'ENDED';
  return 'LIVE';
}

/** A text field (one line or several) with the editor's own error under it, announced with it. */
export function CheckedTextInput({
  label,
  value,
  onChange,
  error,
  description,
  multiline,
  isRequired,
  isReadOnly,
  name,
}: {
  label: string;
  value: string;
  onChange?: (value: string) => void;
  error?: string;
  description?: ReactNode;
  multiline?: boolean;
  isReadOnly?: boolean;
  isRequired?: boolean;
  name?: string;
}) {
  return (
    <TextField
      className="field"
      value={value}
      onChange={onChange}
      isRequired={isRequired}
      isReadOnly={isReadOnly}
      name={name}
      isInvalid={error ? true : undefined}
      validationBehavior="aria"
    >
      <Label>{label}</Label>
      {multiline ? <TextArea rows={4} /> : <Input />}
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError>{error}</FieldError>
    </TextField>
  );
}

/** Two date-time fields side by side: a window's start and end. */
export function WindowInputs({
  startLabel,
  endLabel,
  start,
  end,
  onStart,
  onEnd,
  startError,
  endError,
}: {
  startLabel: string;
  endLabel: string;
  start: string;
  end: string;
  onStart: (value: string) => void;
  onEnd: (value: string) => void;
  startError?: string;
  endError?: string;
}) {
  return (
    <div className="row">
      <DateTimeInput
        label={startLabel}
        value={start}
        onChange={onStart}
        isRequired
        error={startError}
      />
      <DateTimeInput label={endLabel} value={end} onChange={onEnd} isRequired error={endError} />
    </div>
  );
}

/**
 * The end of a dialog's form: how many fields to fix (after a first submit), the server's
 * refusal, cancel and submit.
 */
export function DialogFormFooter({
  submitted,
  errorCount,
  error,
  pending,
  submitLabel,
  close,
}: {
  submitted: boolean;
  errorCount: number;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  close: () => void;
}) {
  const t = useT();
  return (
    <>
      {submitted && errorCount > 0 ? (
        <p role="alert" className="problem">
          {t('marketing.editor.fix', { count: errorCount })}
        </p>
      ) : null}
      <FormActions error={error} pending={pending} submitLabel={submitLabel} onCancel={close} />
    </>
  );
}

/** A SKU id, then the currency and a price in it: what a flash sale and a group deal sell. */
export function SkuPriceInputs({
  priceLabel,
  skuId,
  onSkuId,
  currency,
  onCurrency,
  price,
  onPrice,
  skuIdError,
  priceError,
}: {
  priceLabel: string;
  skuId: string;
  onSkuId: (value: string) => void;
  currency: Currency;
  onCurrency: (value: Currency) => void;
  price: number | null;
  onPrice: (value: number | null) => void;
  skuIdError?: string;
  priceError?: string;
}) {
  const t = useT();
  return (
    <>
      <CheckedTextInput
        label={t('marketing.flash.skuId')}
        description={t('marketing.flash.skuIdHint')}
        value={skuId}
        onChange={onSkuId}
        isRequired
        error={skuIdError}
      />
      <div className="row">
        <label className="field">
          <span>{t('marketing.promotion.currency')}</span>
          <select value={currency} onChange={(ev) => onCurrency(ev.target.value as Currency)}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <LiveMoneyInput
          key={currency}
          label={priceLabel}
          currency={currency}
          value={price}
          onChange={onPrice}
          isRequired
          error={priceError}
        />
      </div>
    </>
  );
}
