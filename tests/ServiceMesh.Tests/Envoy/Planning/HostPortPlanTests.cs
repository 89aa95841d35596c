using System.Globalization;
using ServiceMesh.Envoy;
using ServiceMesh.Envoy.Planning;
using YamlDotNet.RepresentationModel;

namespace ServiceMesh.Tests.Envoy.Planning;

/// <summary>One host, many sidecars: every listener of every sidecar on its own port, read back from the written files.</summary>
public sealed class HostPortPlanTests : IDisposable
{
    private readonly EnvoyTestMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Generate_TwentySidecarsOnOneHost_NoTwoListenersOfAnyKindShareAPort()
    {
        _mesh.Inputs.Set(Host(20));

        var generation = _mesh.Generator.Generate().ShouldNotBeNull();

        generation.Excluded.ShouldBeEmpty();
        var ports = new Dictionary<int, string>();
        foreach (var service in generation.Specs.Select(s => s.Name))
        {
            var admin = Port(_mesh.Yaml($"{service}.yaml").At("admin", "address"));
            ports.TryAdd(admin, $"{service} admin").ShouldBeTrue($"{service} admin port {admin} is also {ports.GetValueOrDefault(admin)}");
            foreach (var listener in _mesh.Yaml($"{service}/lds.yaml").Resources())
            {
                var port = Port(listener.At("address"));
                var name = $"{service} {listener.Text("name")}";
                ports.TryAdd(port, name).ShouldBeTrue($"{name} port {port} is also {ports.GetValueOrDefault(port)}");
            }
        }

        ports.Count.ShouldBe(20 * (4 + 3)); // admin, public, Prometheus, ready and three upstreams each
        var reserved = EnvoySettings.ReservedPortsOf(_mesh.Options).Select(r => r.Port).ToList();
        reserved.ShouldNotBeEmpty();
        ports.Keys.ShouldNotContain(p => reserved.Contains(p));
        ports.Keys.ShouldNotContain(p => p >= 8000 && p < 8020, "the apps' service ports");
    }

    [Fact]
    public void Generate_StaticLayoutTwentySidecars_NoTwoListenersShareAPort()
    {
        using var mesh = new EnvoyTestMesh(ServiceMesh.Configuration.EnvoyConfigLayout.Static);
        mesh.Inputs.Set(Host(20));

        var generation = mesh.Generator.Generate().ShouldNotBeNull();

        var all = generation.Specs.SelectMany(s => mesh.Yaml($"{s.Name}.yaml") is var bootstrap
            ? bootstrap.Items("static_resources", "listeners").Select(l => Port(l.At("address"))).Append(Port(bootstrap.At("admin", "address")))
            : []).ToList();
        all.Count.ShouldBe(20 * 7);
        all.Distinct().Count().ShouldBe(all.Count);
    }

    [Fact]
    public void Assign_MemberAdded_EveryExistingMemberKeepsItsPorts()
    {
        var members = Host(20).Members;
        var before = Plan(members);
        var owned = members.Select(m => AdminSlot(before, m.Name)).ToHashSet();
        // A newcomer whose home slot nobody holds: nothing moves. (One whose home a prober took would move that prober.)
        var newcomer = Enumerable.Range(0, 100).Select(i => $"newcomer-{i}").First(n => !owned.Contains(HostPortPlan.HomeSlot(n)));

        var after = Plan([.. members, new MeshMember(newcomer, MeshProtocol.Http, 8100, null, [new(members[0].Name, 31000)], ["127.0.0.1"])]);

        foreach (var member in members)
        {
            after.PortsOf(member.Name).ShouldBe(before.PortsOf(member.Name), member.Name);
        }

        after.PortsOf(newcomer)!.Admin.ShouldBe(19000 + HostPortPlan.HomeSlot(newcomer));
    }

    [Fact]
    public void Assign_SameMembersInAnotherOrder_SamePorts()
    {
        var members = Host(20).Members;

        var first = Plan(members);
        var restarted = Plan([.. members.Reverse()]);

        members.ShouldAllBe(m => restarted.PortsOf(m.Name) == first.PortsOf(m.Name));
        members.Select(m => first.PortsOf(m.Name)!.Admin).Distinct().Count().ShouldBe(20);
    }

    [Fact]
    public void Assign_TwoMembersHashToOneSlot_TheFirstByNameHasItTheOtherTheNextFreeOne()
    {
        var names = Enumerable.Range(0, 5000).Select(i => $"svc-{i}").GroupBy(HostPortPlan.HomeSlot).First(g => g.Count() > 1).Take(2).ToList();
        var home = HostPortPlan.HomeSlot(names[0]);

        var plan = Plan([.. names.Select((n, i) => new MeshMember(n, MeshProtocol.Http, 8000 + i, null, [], ["127.0.0.1"]))]);

        var (first, second) = string.CompareOrdinal(names[0], names[1]) < 0 ? (names[0], names[1]) : (names[1], names[0]);
        plan.PortsOf(first).ShouldBe(new SidecarPorts(21000 + home, 19000 + home, 20000 + home, 22000 + home));
        plan.PortsOf(second)!.Admin.ShouldBe(19000 + ((home + 1) % 1000));
    }

    /// <summary>Sidecars on one host: apps on 8000+, three upstreams each on 30000+, every other port allocated.</summary>
    internal static MeshTopology Host(int count)
    {
        var names = Enumerable.Range(0, count).Select(i => $"svc-{i:D2}").ToList();
        return new([.. names.Select((name, i) => new MeshMember(name, i % 3 == 0 ? MeshProtocol.Tcp : MeshProtocol.Http, 8000 + i, null,
            [.. Enumerable.Range(1, 3).Select(k => new MeshUpstreamRef(names[(i + k) % count], 30000 + (i * 3) + k))], ["127.0.0.1"]))]);
    }

    private static HostPortPlan Plan(IReadOnlyList<MeshMember> members) =>
        HostPortPlan.Assign(members.Select(m => new RankedMember(m, "test", 0)), new HostPortRanges(19000), [new ReservedPort(8088, "service-mesh's HTTP_PORT")]);

    private static int AdminSlot(HostPortPlan plan, string service) => plan.PortsOf(service)!.Admin - 19000;

    private static int Port(YamlNode address) => int.Parse(address.Text("socket_address", "port_value"), CultureInfo.InvariantCulture);
}
