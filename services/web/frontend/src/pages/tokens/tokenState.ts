// A token's state as the tokens pages show it, and the expiry choices offered at creation.

import type { TokenInfo } from "../../api/admin";

export type TokenState = "active" | "expired" | "revoked";

export function tokenState(token: TokenInfo, now = Date.now()): TokenState {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && token.expires_at <= now) return "expired";
  return "active";
}

// Days; the server caps them (GRIMOIRE_AUTH_TOKEN_MAX_DAYS) and says so when one is too long.
export const EXPIRY_CHOICES = [7, 30, 90, 365];

export function parseExpiryDays(text: string): number | undefined | "invalid" {
  if (!text.trim()) return undefined;
  const days = Number(text);
  return Number.isFinite(days) && days > 0 ? days : "invalid";
}
