// The playground's form, generated from the version's Input schema.
import type { FormEvent, ReactNode } from "react";
import { FileField } from "./file-field.js";
import type { Field, FormValues } from "./schema.js";

interface Props {
  fields: Field[];
  values: FormValues;
  errors: Record<string, string>;
  onChange(values: FormValues): void;
  onSubmit(): void;
  busy: boolean;
  actions?: ReactNode;
}

export function SchemaForm({ fields, values, errors, onChange, onSubmit, busy, actions }: Props) {
  const set = (name: string, value: string | boolean) => onChange({ ...values, [name]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="schema-form" onSubmit={submit} noValidate>
      {fields.length === 0 && <p className="muted">This model takes no input.</p>}
      {fields.map((field) => (
        <FieldRow key={field.name} field={field} value={values[field.name]} error={errors[field.name]} onChange={(v) => set(field.name, v)} />
      ))}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Running…" : "Run"}
        </button>
        {actions}
      </div>
    </form>
  );
}

function FieldRow({ field, value, error, onChange }: { field: Field; value: string | boolean | undefined; error?: string; onChange(v: string | boolean): void }) {
  const id = `input-${field.name}`;
  const hintId = field.description || field.min !== undefined || field.max !== undefined ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const text = typeof value === "string" ? value : "";
  return (
    <div className={`field field-${field.kind}`}>
      {field.kind === "boolean" ? (
        <label className="checkbox" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(e) => onChange(e.target.checked)} />
          <span>{field.label}</span>
        </label>
      ) : (
        <label htmlFor={id}>
          {field.label}
          {field.required && <span className="required" aria-hidden="true"> *</span>}
          <code className="field-name">{field.name}</code>
        </label>
      )}
      {control(field, id, text, describedBy, onChange)}
      {hintId && (
        <p id={hintId} className="hint">
          {field.description}
          {rangeText(field)}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

function control(field: Field, id: string, text: string, describedBy: string | undefined, onChange: (v: string) => void): ReactNode {
  const common = { id, "aria-describedby": describedBy, required: field.required };
  switch (field.kind) {
    case "boolean":
      return null;
    case "enum":
      return (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {!field.required && <option value="">(default)</option>}
          {field.options.map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      );
    case "integer":
    case "number": {
      const range = field.min !== undefined && field.max !== undefined && field.max - field.min <= 1000;
      return (
        <div className="number-row">
          {range && (
            <input
              type="range"
              aria-label={`${field.label} slider`}
              tabIndex={-1}
              min={field.min}
              max={field.max}
              step={field.kind === "integer" ? 1 : (field.max! - field.min!) / 100}
              value={text === "" ? String(field.min) : text}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
          <input {...common} type="number" inputMode="decimal" min={field.min} max={field.max} step={field.kind === "integer" ? 1 : "any"} value={text} onChange={(e) => onChange(e.target.value)} />
        </div>
      );
    }
    case "file":
      return <FileField id={id} value={text} describedBy={describedBy} onChange={onChange} />;
    case "text":
    case "array":
    case "json":
      return <textarea {...common} rows={field.kind === "text" ? 4 : 3} value={text} onChange={(e) => onChange(e.target.value)} spellCheck={field.kind === "text"} />;
    default:
      return <input {...common} type="text" value={text} onChange={(e) => onChange(e.target.value)} />;
  }
}

function rangeText(field: Field): string {
  if (field.min !== undefined && field.max !== undefined) return ` (${field.min} to ${field.max})`;
  if (field.min !== undefined) return ` (at least ${field.min})`;
  if (field.max !== undefined) return ` (at most ${field.max})`;
  return "";
}
