// Account → AccountJSON (spec §3.6): optional keys appear only when set.
import type { Account, AccountJSON } from "@ferry/core";

export function serializeAccount(account: Account): AccountJSON {
  const json: AccountJSON = { type: account.type, username: account.username, name: account.name };
  if (account.githubUrl !== null) json.github_url = account.githubUrl;
  if (account.avatarUrl !== null) json.avatar_url = account.avatarUrl;
  return json;
}
