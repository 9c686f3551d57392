// A file input: the chosen file is uploaded to POST /v1/files and the field holds its URL; a URL can be typed too.
import { useEffect, useState } from "react";
import { api, errorMessage } from "../../api/client.js";
import type { FileObject } from "../../api/types.js";
import { formatBytes } from "../../lib/format.js";

interface Props {
  id: string;
  value: string;
  describedBy: string | undefined;
  onChange(value: string): void;
}

export function FileField({ id, value, describedBy, onChange }: Props) {
  const [preview, setPreview] = useState<{ url: string; type: string; name: string; size: number } | null>(null);
  const [state, setState] = useState<{ uploading: boolean; error: string | null }>({ uploading: false, error: null });

  useEffect(() => () => (preview ? URL.revokeObjectURL(preview.url) : undefined), [preview]);

  async function upload(file: File) {
    setPreview({ url: URL.createObjectURL(file), type: file.type, name: file.name, size: file.size });
    setState({ uploading: true, error: null });
    const form = new FormData();
    form.append("content", file, file.name);
    try {
      const uploaded = await api<FileObject>("/v1/files", { method: "POST", body: form });
      onChange(uploaded.urls.get);
      setState({ uploading: false, error: null });
    } catch (error) {
      setState({ uploading: false, error: `The upload failed: ${errorMessage(error)}` });
    }
  }

  return (
    <div className="file-field">
      <input
        id={id}
        type="file"
        aria-describedby={describedBy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void upload(file);
        }}
      />
      <input
        type="url"
        aria-label="or a file URL"
        placeholder="or paste a URL (https:// or data:)"
        value={value}
        onChange={(event) => {
          setPreview(null);
          onChange(event.target.value);
        }}
      />
      {state.uploading && <p className="muted" role="status">Uploading…</p>}
      {state.error && <p className="field-error">{state.error}</p>}
      {preview && (
        <div className="file-preview">
          {preview.type.startsWith("image/") && <img src={preview.url} alt={`Preview of ${preview.name}`} />}
          {preview.type.startsWith("audio/") && <audio src={preview.url} controls />}
          {preview.type.startsWith("video/") && <video src={preview.url} controls muted />}
          <span className="muted">
            {preview.name} · {formatBytes(preview.size)}
          </span>
        </div>
      )}
    </div>
  );
}
