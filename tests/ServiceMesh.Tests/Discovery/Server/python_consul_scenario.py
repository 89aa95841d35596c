# A Consul user's session through python-consul (Debian's python3-consul), against the embedded agent.
# Usage: python3 python_consul_scenario.py <port>. Prints "ok" and exits 0, or raises with what differed.
import sys
import consul

c = consul.Consul(host="127.0.0.1", port=int(sys.argv[1]))


def put(path, **params):
    # Debian's python-consul (0.7.1) sends GET for deregister and ttl_pass, which Consul 1.x refuses (405) as this agent
    # does: those two go through its own HTTP layer with the PUT that Consul 1.x and python-consul 1.x use.
    return c.http.put(consul.base.CB.bool(), path, params=params)


self_ = c.agent.self()
node = self_["Config"]["NodeName"]
assert node, self_
assert len(c.agent.members()) == 1
assert c.status.leader().endswith(":8300")
assert len(c.status.peers()) == 1
assert c.catalog.datacenters() == [self_["Config"]["Datacenter"]]

assert c.agent.service.register("web", service_id="web-1", port=8080, tags=["a", "b"], check=consul.Check.ttl("30s"))
assert c.agent.service.register("web", service_id="web-2", port=8081, tags=["a"])
assert "web-1" in c.agent.services()
check_id = "service:web-1"
assert c.agent.checks()[check_id]["Status"] == "critical"
assert put("/v1/agent/check/pass/" + check_id, note="fine")

index, services = c.catalog.services()
assert int(index) > 0 and sorted(services["web"]) == ["a", "b"], services
index, nodes = c.catalog.nodes()
assert [n["Node"] for n in nodes] == [node]
index, info = c.catalog.node(node)
assert set(info["Services"]) >= {"web-1", "web-2"}, info
index, instances = c.catalog.service("web", tag="b")
assert [i["ServiceID"] for i in instances] == ["web-1"], instances

index, passing = c.health.service("web", passing=True)
assert sorted(e["Service"]["ID"] for e in passing) == ["web-1", "web-2"], passing
index, checks = c.health.checks("web")
assert [ch["CheckID"] for ch in checks] == [check_id], checks
index, checks = c.health.state("passing")
assert {"serfHealth", check_id} <= {ch["CheckID"] for ch in checks}, checks
index, checks = c.health.node(node)
assert "serfHealth" in [ch["CheckID"] for ch in checks], checks

assert c.kv.put("config/web/replicas", "3")
index, item = c.kv.get("config/web/replicas")
assert item["Value"] == b"3", item
index, items = c.kv.get("config/", recurse=True)
assert [i["Key"] for i in items] == ["config/web/replicas"], items
assert c.kv.put("config/web/leader", "a", cas=0)
assert not c.kv.put("config/web/leader", "b", cas=0)
index, keys = c.kv.get("config/", keys=True, separator="/")
assert keys == ["config/web/"], keys
assert c.kv.delete("config/web/leader")
assert c.kv.delete("config/web/replicas")
index, item = c.kv.get("config/web/replicas")
assert item is None

assert c.http.get(lambda response: response.code, "/v1/agent/service/deregister/web-2") == 405
assert put("/v1/agent/service/deregister/web-2")
index, instances = c.catalog.service("web")
assert [i["ServiceID"] for i in instances] == ["web-1"], instances
print("ok")
