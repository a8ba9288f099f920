import { describe, expect, it } from "vitest";
import { changedQuery } from "./hashQuery";

describe("a listing's query after a change", () => {
  const query = new URLSearchParams("filter=churn&sort=name&page=tok2");

  it("sets and removes keys and leaves the given query as it was", () => {
    const next = changedQuery(query, { sort: "last_update_time DESC", filter: null });
    expect(next.toString()).toBe("sort=last_update_time+DESC");
    expect(query.toString()).toBe("filter=churn&sort=name&page=tok2");
  });

  it("starts again at the first page when the filter or order changes", () => {
    expect(changedQuery(query, { filter: "fraud" }).get("page")).toBeNull();
    expect(changedQuery(query, { deleted: "" }).get("page")).toBeNull();
  });

  it("moves between pages and keeps the filter and the order", () => {
    expect(changedQuery(query, { page: "tok3" }).toString()).toBe("filter=churn&sort=name&page=tok3");
    expect(changedQuery(query, { page: null }).toString()).toBe("filter=churn&sort=name");
  });
});
