using Microsoft.Extensions.Time.Testing;
using ServiceMesh.Discovery.Consul;
using ServiceMesh.Discovery.Server;

namespace ServiceMesh.Tests.Discovery.Server;

public sealed class UserEventRingTests
{
    [Fact] // TestUUIDToUint64
    public void IndexOf_ConsulsVector_SameIndex()
    {
        UserEventRing.IndexOf("cb9a81ad-fff6-52ac-92a7-5f70687805ec").ShouldBe(6430540886266763072UL);
    }

    [Fact]
    public async Task WaitAsync_NoNewEvent_ReturnsWhenTheInjectedClockPassesTheWait()
    {
        var time = new FakeTimeProvider();
        var ring = new UserEventRing(time);
        var last = ring.Add(new UserEvent { Id = Guid.NewGuid().ToString(), Name = "deploy", Version = 1 });

        var waiting = ring.WaitAsync(null, UserEventRing.IndexOf(last.Id), TimeSpan.FromMinutes(5), CancellationToken.None);
        await Task.Delay(50);
        var beforeTheWait = waiting.IsCompleted;
        time.Advance(TimeSpan.FromMinutes(5));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        beforeTheWait.ShouldBeFalse();
        ring.List(null).Single().LTime.ShouldBe(2UL);
    }

    [Fact]
    public async Task WaitAsync_EventOfAnotherName_KeepsWaitingForItsOwnName()
    {
        var ring = new UserEventRing(new FakeTimeProvider());
        var waiting = ring.WaitAsync("deploy", UserEventRing.Index(ring.List("deploy")), TimeSpan.FromMinutes(5), CancellationToken.None);

        ring.Add(new UserEvent { Id = Guid.NewGuid().ToString(), Name = "other", Version = 1 });
        await Task.Delay(50);
        var afterOther = waiting.IsCompleted;
        ring.Add(new UserEvent { Id = Guid.NewGuid().ToString(), Name = "deploy", Version = 1 });
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        afterOther.ShouldBeFalse("a ?name= list's index is its own last event's");
    }
}
