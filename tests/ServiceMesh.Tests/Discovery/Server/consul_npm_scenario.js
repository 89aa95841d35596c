// A Consul user's session through the npm `consul` client (version pinned in package.json and package-lock.json beside
// this file), against the embedded agent. Usage: node consul_npm_scenario.js <port>. Prints "ok" and exits 0, or fails
// with what differed.
"use strict";
const assert = require("node:assert/strict");
const Consul = require("consul");

const consul = new Consul({ host: "127.0.0.1", port: Number(process.argv[2]) });

// Resolves with the first "change" a watch emits that satisfies the condition; fails after 15 s.
function nextChange(watch, condition, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no watch change within 15 s: ${what}`)), 15000);
    watch.on("error", (err) => { clearTimeout(timer); reject(err); });
    watch.on("change", (data) => {
      if (condition(data)) {
        clearTimeout(timer);
        resolve(data);
      }
    });
  });
}

async function main() {
  const self = await consul.agent.self();
  const node = self.Config.NodeName;
  assert.ok(node, JSON.stringify(self));
  const members = await consul.agent.members();
  assert.deepEqual(members.map((m) => m.Name), [node]);
  assert.match(await consul.status.leader(), /:8300$/);
  assert.deepEqual(await consul.catalog.datacenters(), [self.Config.Datacenter]);

  await consul.agent.service.register({ name: "web", id: "web-1", port: 8080, tags: ["a", "b"], check: { ttl: "30s" } });
  await consul.agent.service.register({ name: "web", id: "web-2", port: 8081, tags: ["a"] });
  const checkId = "service:web-1";
  assert.equal((await consul.agent.check.list())[checkId].Status, "critical");
  await consul.agent.check.pass({ id: checkId, note: "fine" });
  assert.equal((await consul.agent.check.list())[checkId].Status, "passing");

  const services = await consul.catalog.service.list();
  assert.deepEqual([...services.web].sort(), ["a", "b"]);
  const tagged = await consul.catalog.service.nodes({ service: "web", tag: "b" });
  assert.deepEqual(tagged.map((i) => i.ServiceID), ["web-1"]);
  const passing = await consul.health.service({ service: "web", passing: true });
  assert.deepEqual(passing.map((e) => e.Service.ID).sort(), ["web-1", "web-2"]);

  // This client sends keys percent-encoded (config%2Fweb%2Freplicas): they must be stored as the path they stand for.
  assert.equal(await consul.kv.set("config/web/replicas", "3"), true);
  const item = await consul.kv.get("config/web/replicas");
  assert.equal(item.Key, "config/web/replicas");
  assert.equal(item.Value, "3");
  assert.deepEqual(await consul.kv.keys("config/"), ["config/web/replicas"]);
  assert.deepEqual(await consul.kv.keys({ key: "config/", separator: "/" }), ["config/web/"]);
  await consul.kv.del("config/web/replicas");
  assert.equal(await consul.kv.get("config/web/replicas"), undefined);

  // Blocking watches: each first reports the current state, then wakes on the change.
  const kvWatch = consul.watch({ method: consul.kv.get, options: { key: "config/web/leader", wait: "10s" } });
  const healthWatch = consul.watch({ method: consul.health.service, options: { service: "web", passing: true, wait: "10s" } });
  const kvChanged = nextChange(kvWatch, (data) => data && data.Value === "web-1", "kv.get config/web/leader set");
  const deregistered = nextChange(healthWatch, (data) => data.length === 1, "health.service web after web-2 left");
  await new Promise((resolve) => setTimeout(resolve, 500)); // both watches now blocked on their index
  await consul.kv.set("config/web/leader", "web-1");
  await consul.agent.service.deregister("web-2");
  assert.equal((await kvChanged).Key, "config/web/leader");
  assert.deepEqual((await deregistered).map((e) => e.Service.ID), ["web-1"]);
  kvWatch.end();
  healthWatch.end();

  const fired = await consul.event.fire("deploy", "v2");
  assert.equal(fired.Payload, "v2");
  const events = await consul.event.list({ name: "deploy" });
  assert.deepEqual(events.map((e) => [e.ID, e.Payload]), [[fired.ID, "v2"]]);

  await consul.agent.service.deregister("web-1");
  assert.deepEqual(await consul.catalog.service.nodes("web"), []);
  await consul.kv.del("config/web/leader");
  console.log("ok");
}

main().then(
  () => consul.destroy(),
  (err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  },
);
