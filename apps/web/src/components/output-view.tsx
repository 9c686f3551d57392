// A prediction's output shown as what it is: images, audio and video players, links for other files, JSON, text.
import type { JsonSchema } from "../api/types.js";

const IMAGE = /\.(png|jpe?g|gif|webp|avif|svg|bmp)(\?|$)/i;
const AUDIO = /\.(mp3|wav|ogg|flac|m4a|aac|opus)(\?|$)/i;
const VIDEO = /\.(mp4|webm|mov|mkv)(\?|$)/i;

export function OutputView({ output, schema }: { output: unknown; schema?: JsonSchema | undefined }) {
  if (output === null || output === undefined) return null;
  if (Array.isArray(output)) {
    // Token streams (`x-cog-array-display: concatenate`, or plain string iterators) read as one text.
    const strings = output.every((item) => typeof item === "string");
    if (strings && !output.some((s) => isUrl(s as string)) && schema?.["x-cog-array-display"] === "concatenate") {
      return <pre className="output-text">{output.join("")}</pre>;
    }
    return (
      <ol className="output-list">
        {output.map((item, i) => (
          <li key={i}>
            <OutputView output={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof output === "string") return isUrl(output) ? <FileOutput url={output} /> : <pre className="output-text">{output}</pre>;
  if (typeof output === "number" || typeof output === "boolean") return <pre className="output-text">{String(output)}</pre>;
  return <pre className="output-json">{JSON.stringify(output, null, 2)}</pre>;
}

function isUrl(text: string): boolean {
  return /^(https?:\/\/|data:)\S+$/.test(text);
}

function FileOutput({ url }: { url: string }) {
  const kind = mediaKind(url);
  return (
    <figure className="output-file">
      {kind === "image" && <img src={url} alt="Output image" />}
      {kind === "audio" && <audio src={url} controls />}
      {kind === "video" && <video src={url} controls />}
      <figcaption>
        <a href={url} target="_blank" rel="noreferrer" download>
          {kind === "other" ? "Download file" : "Open file"}
        </a>
        <span className="muted url">{url.startsWith("data:") ? url.slice(0, 40) + "…" : url}</span>
      </figcaption>
    </figure>
  );
}

function mediaKind(url: string): "image" | "audio" | "video" | "other" {
  const dataType = /^data:([^;,]+)/.exec(url)?.[1] ?? "";
  if (dataType.startsWith("image/") || IMAGE.test(url)) return "image";
  if (dataType.startsWith("audio/") || AUDIO.test(url)) return "audio";
  if (dataType.startsWith("video/") || VIDEO.test(url)) return "video";
  return "other";
}
