import { describe, expect, it } from "vitest";
import { links, parseHash } from "../../app/routes";

describe("administration routes", () => {
  it("opens each administration page and round-trips a webhook's link", () => {
    expect(parseHash("#/admin/webhooks").page).toBe("admin-webhooks");
    expect(parseHash(links.webhook("a/b"))).toMatchObject({ page: "admin-webhook", webhookId: "a/b" });
    expect(parseHash("#/admin/service-accounts").page).toBe("admin-service-accounts");
    expect(parseHash("#/admin/access").page).toBe("admin-access");
    expect(parseHash("#/admin/audit?actor=x").query.get("actor")).toBe("x");
    expect(parseHash("#/settings/tokens").page).toBe("tokens");
    expect(parseHash("#/me").page).toBe("me");
    expect(parseHash("#/admin/nothing").page).toBe("not-found");
  });
});
