import type { ReactNode } from 'react';
import {
  Button,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  NumberField,
  Popover,
  Select,
  SelectValue,
  Text,
  TextArea,
  TextField,
  type NumberFieldProps,
  type TextFieldProps,
} from 'react-aria-components';

/**
 * Labelled form fields (React Aria: labels, descriptions and errors wired to the input for screen
 * readers, native validation, server errors from `<Form validationErrors>` by `name`).
 */
export function TextInput({
  label,
  description,
  multiline,
  ...props
}: TextFieldProps & { label: string; description?: ReactNode; multiline?: boolean }) {
  return (
    <TextField className="field" {...props}>
      <Label>{label}</Label>
      {multiline ? <TextArea rows={4} /> : <Input />}
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError />
    </TextField>
  );
}

export function NumberInput({
  label,
  description,
  ...props
}: NumberFieldProps & { label: string; description?: ReactNode }) {
  return (
    <NumberField className="field" {...props}>
      <Label>{label}</Label>
      <Input />
      {description ? <Text slot="description">{description}</Text> : null}
      <FieldError />
    </NumberField>
  );
}

/** An amount in major units (¥300.00) in the language's format; the value is major units. */
export function MoneyInput({
  currency,
  ...props
}: NumberFieldProps & { label: string; description?: ReactNode; currency: string }) {
  return (
    <NumberInput
      minValue={0}
      formatOptions={{ style: 'currency', currency, currencyDisplay: 'narrowSymbol' }}
      {...props}
    />
  );
}

export function SelectInput<K extends string>({
  label,
  options,
  value,
  onChange,
  name,
  isRequired,
}: {
  label: string;
  options: { id: K; label: string }[];
  value: K | null;
  onChange: (value: K) => void;
  name?: string;
  isRequired?: boolean;
}) {
  return (
    <Select
      className="field"
      name={name}
      isRequired={isRequired}
      selectedKey={value}
      onSelectionChange={(k) => onChange(k as K)}
    >
      <Label>{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      <FieldError />
      <Popover>
        <ListBox>
          {options.map((o) => (
            <ListBoxItem key={o.id} id={o.id}>
              {o.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}

/**
 * A labelled checkbox: the browser's own (keyboard, screen readers and forms as everywhere),
 * its label the clickable text beside it.
 */
export function CheckboxInput({
  label,
  checked,
  onChange,
  name,
  isDisabled,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
  isDisabled?: boolean;
}) {
  return (
    <label className="ops-check">
      <input
        type="checkbox"
        name={name}
        checked={checked}
        disabled={isDisabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  );
}
