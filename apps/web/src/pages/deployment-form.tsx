// Create a deployment (POST /v1/deployments) or change one (PATCH: every change makes a new release).
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useNavigate } from "react-router";
import { api, errorMessage } from "../api/client.js";
import type { Deployment, Hardware, Model, Page } from "../api/types.js";
import { ErrorNotice } from "../components/error-notice.js";
import { useApi } from "../hooks/use-api.js";

interface Props {
  existing?: Deployment;
  onSaved?: () => void;
}

export function DeploymentForm({ existing, onSaved }: Props) {
  const release = existing?.current_release ?? null;
  const [name, setName] = useState(existing?.name ?? "");
  const [model, setModel] = useState(release?.model ?? "");
  const [version, setVersion] = useState(release?.version ?? "");
  const [hardware, setHardware] = useState(release?.configuration.hardware ?? "cpu");
  const [min, setMin] = useState(String(release?.configuration.min_instances ?? 0));
  const [max, setMax] = useState(String(release?.configuration.max_instances ?? 1));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const models = useApi<Page<Model>>("/v1/models");
  const hardwareList = useApi<Hardware[]>("/v1/hardware");

  // Picking a model fills in its latest version; a version typed by hand stays.
  useEffect(() => {
    if (existing && model === release?.model) return;
    const chosen = models.data?.results.find((m) => `${m.owner}/${m.name}` === model);
    if (chosen?.latest_version) setVersion(chosen.latest_version.id);
  }, [model, models.data, existing, release?.model]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const minN = Number(min);
    const maxN = Number(max);
    if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 0 || maxN < minN) {
      setError("Instances must be whole numbers, with the minimum no larger than the maximum.");
      return;
    }
    setBusy(true);
    try {
      if (existing) {
        await api(`/v1/deployments/${existing.owner}/${existing.name}`, {
          method: "PATCH",
          body: { version, hardware, min_instances: minN, max_instances: maxN },
        });
        onSaved?.();
      } else {
        const created = await api<Deployment>("/v1/deployments", {
          method: "POST",
          body: { name: name.trim(), model, version, hardware, min_instances: minN, max_instances: maxN },
        });
        await navigate(`/deployments/${created.owner}/${created.name}`);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card deployment-form" onSubmit={(e) => void submit(e)}>
      {!existing && (
        <div className="field">
          <label htmlFor="d-name">Name</label>
          <input id="d-name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z0-9][a-z0-9._\-]*" aria-describedby="d-name-hint" />
          <p id="d-name-hint" className="hint">
            Lowercase letters, digits, “-”, “_” and “.”.
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor="d-model">Model</label>
        <select id="d-model" value={model} onChange={(e) => setModel(e.target.value)} required>
          <option value="">Choose a model</option>
          {(models.data?.results ?? []).map((m) => (
            <option key={`${m.owner}/${m.name}`} value={`${m.owner}/${m.name}`}>
              {m.owner}/{m.name}
            </option>
          ))}
          {model && !models.data?.results.some((m) => `${m.owner}/${m.name}` === model) && <option value={model}>{model}</option>}
        </select>
      </div>
      <div className="field">
        <label htmlFor="d-version">Version</label>
        <input id="d-version" value={version} onChange={(e) => setVersion(e.target.value)} required spellCheck={false} className="mono" />
      </div>
      <div className="field">
        <label htmlFor="d-hardware">Hardware</label>
        <select id="d-hardware" value={hardware} onChange={(e) => setHardware(e.target.value)}>
          {(hardwareList.data ?? [{ name: "CPU", sku: "cpu" }]).map((h) => (
            <option key={h.sku} value={h.sku}>
              {h.name} ({h.sku})
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="d-min">Min instances</label>
          <input id="d-min" type="number" min={0} max={5} step={1} value={min} onChange={(e) => setMin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="d-max">Max instances</label>
          <input id="d-max" type="number" min={0} max={20} step={1} value={max} onChange={(e) => setMax(e.target.value)} />
        </div>
      </div>
      <ErrorNotice message={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : existing ? "Save as a new release" : "Create deployment"}
        </button>
      </div>
    </form>
  );
}

export function NewDeploymentPage() {
  return (
    <div className="page narrow">
      <h1>New deployment</h1>
      <DeploymentForm />
    </div>
  );
}
