import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { workspaceAdminCheck } from "../src/bots/slack/workspace-admin.js";
import { type FakeSlack, startFakeSlack } from "./fake-slack.js";

let fake: FakeSlack;
let client: webApi.WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ["UADMIN"] });
  client = new webApi.WebClient("xoxb-test", {
    slackApiUrl: fake.apiUrl,
    logLevel: webApi.LogLevel.ERROR,
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe("workspaceAdminCheck cache bound", () => {
  it("drops the least recently asked user once maxUsers are remembered", async () => {
    const isAdmin = workspaceAdminCheck(client.users, { maxUsers: 2, now: () => 0 });
    await isAdmin("UADMIN");
    await isAdmin("U2");
    await isAdmin("UADMIN"); // cached, and now the most recent
    await isAdmin("U3"); // evicts U2
    expect(fake.callsTo("users.info")).toHaveLength(3);
    await isAdmin("UADMIN");
    expect(fake.callsTo("users.info")).toHaveLength(3);
    await isAdmin("U2");
    expect(fake.callsTo("users.info")).toHaveLength(4);
  });
});
