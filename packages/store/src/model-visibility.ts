// Who may see a model: shared by listing and search.
import type { ExpressionBuilder } from "kysely";
import type { Database } from "./schema.js";

/** Public models, plus the viewer's own private ones. */
export function visibleTo(eb: ExpressionBuilder<Database, "models">, viewerAccountId: string | null) {
  const pub = eb("models.visibility", "=", "public");
  return viewerAccountId === null ? pub : eb.or([pub, eb("models.account_id", "=", viewerAccountId)]);
}
