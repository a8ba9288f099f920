import { describe, expect, it } from "vitest";
import type { TokenInfo } from "../../api/admin";
import { parseExpiryDays, tokenState } from "./tokenState";

const token = (over: Partial<TokenInfo>): TokenInfo => ({
  token_id: "t",
  prefix: "grm_abc",
  name: "ci",
  owner: "user:a",
  created_at: 0,
  expires_at: null,
  revoked_at: null,
  ...over,
});

describe("token state", () => {
  it("is revoked before expired, expired once its time has passed, else active", () => {
    expect(tokenState(token({ revoked_at: 5, expires_at: 1 }), 10)).toBe("revoked");
    expect(tokenState(token({ expires_at: 10 }), 10)).toBe("expired");
    expect(tokenState(token({ expires_at: 11 }), 10)).toBe("active");
    expect(tokenState(token({}), 10)).toBe("active");
  });

  it("reads the expiry box: empty is the server's default, nonsense is refused here", () => {
    expect(parseExpiryDays("")).toBeUndefined();
    expect(parseExpiryDays("30")).toBe(30);
    expect(parseExpiryDays("0")).toBe("invalid");
    expect(parseExpiryDays("soon")).toBe("invalid");
  });
});
