using Microsoft.Extensions.Logging.Abstractions;
using ServiceMesh.Health;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Health;

public sealed class HealthEvaluatorTests
{
    [Fact]
    public async Task Evaluate_KeptComponentChangedState_NextReportShowsItReadInline()
    {
        var kept = new KeptComponent("kept");
        var evaluator = new HealthEvaluator([kept], NullLogger<HealthEvaluator>.Instance);
        (await evaluator.EvaluateAsync(default)).Status.ShouldBe(ComponentStatus.Healthy);

        kept.Current = ComponentHealth.Unhealthy("the CA key no longer signs");
        var report = await evaluator.EvaluateAsync(default);

        report.Status.ShouldBe(ComponentStatus.Unhealthy);
        report.Components["kept"].Detail.ShouldBe("the CA key no longer signs");
        kept.Checks.ShouldBe(0, "a kept component is read, not checked on a worker thread");
    }

    [Fact]
    public async Task Evaluate_KeptComponentThrows_UnhealthyWithTheReason()
    {
        var kept = new KeptComponent("kept") { Throws = new InvalidOperationException("state lost") };
        var evaluator = new HealthEvaluator([kept], NullLogger<HealthEvaluator>.Instance);

        var report = await evaluator.EvaluateAsync(default);

        report.Components["kept"].ShouldBe(ComponentHealth.Unhealthy("check failed: state lost"));
    }

    [Fact]
    public async Task Current_AfterBothChanged_KeptAsNowProbedAsLastEvaluated()
    {
        var kept = new KeptComponent("kept");
        var probed = new TestComponent("probed");
        var evaluator = new HealthEvaluator([kept, probed], NullLogger<HealthEvaluator>.Instance);
        await evaluator.EvaluateAsync(default);

        kept.Current = ComponentHealth.Degraded("renewal failing");
        probed.Health = ComponentHealth.Unhealthy("disk gone");

        evaluator.Current().ShouldBe([("kept", ComponentHealth.Degraded("renewal failing")), ("probed", ComponentHealth.Healthy("fine"))],
            "a scrape reads kept state now and never runs a probe");
    }

    private sealed class KeptComponent(string name) : IKeptHealthComponent
    {
        private ComponentHealth _current = ComponentHealth.Healthy("fine");

        public string Name => name;
        public int Checks { get; private set; }
        public Exception? Throws { get; init; }

        public ComponentHealth Current
        {
            get => Throws is { } e ? throw e : _current;
            set => _current = value;
        }

        public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
        {
            Checks++;
            return Task.FromResult(Current);
        }
    }
}
