// One model in the catalog: cover image, name, official badge, description, run count and price.
import { Link } from "react-router";
import type { Model } from "../api/types.js";
import { formatCount, formatPrice } from "../lib/format.js";

export function ModelCard({ model }: { model: Model }) {
  const price = formatPrice(model.pricing);
  return (
    <Link to={`/${model.owner}/${model.name}`} className="model-card" data-model={`${model.owner}/${model.name}`}>
      <div className="cover" aria-hidden="true">
        {model.cover_image_url ? <img src={model.cover_image_url} alt="" loading="lazy" /> : <span className="cover-letter">{model.name.slice(0, 1)}</span>}
      </div>
      <div className="card-body">
        <h3>
          <span className="muted">{model.owner}/</span>
          {model.name}
          {model.is_official && <span className="badge official">Official</span>}
        </h3>
        <p className="description">{model.description ?? "No description."}</p>
        <p className="card-meta">
          {model.run_count !== undefined && <span>{formatCount(model.run_count)} runs</span>}
          {price && <span>{price}</span>}
          {model.unavailable_reason && <span className="warn">Unavailable</span>}
        </p>
      </div>
    </Link>
  );
}
